import type { Consent, OutcomeMilestone } from '@passerelle/contracts';
import { LedgerBatch } from './ledger-batch';
import { keySets, microsOf, type LoadedScope } from './ledger-keys';
import { readDateColumn } from '@passerelle/persistence';
import type { LoadedLedger } from './ledger-rows';

// The consents, jobs, outcome milestones and supports of a batch (ledger-batch.spec.ts: its
// referrals, parked events, timers and outbox).

const CLIENT = '0f8fad5b-d9cb-469f-a165-70867728950e';
const OTHER_CLIENT = '1b4e28ba-2fa1-4d3b-a3f5-ef19b5a7633b';
const R1 = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
const CONSENT = 'c56a4180-65aa-42ec-a945-5fd21dec0538';

/** What a batch loaded: these rows, and these keys asked for (any case). */
function loaded(
  rows: Partial<Omit<LoadedLedger, 'scope'>>,
  scope: Partial<Record<keyof LoadedScope, string[]>>,
): LoadedLedger {
  return {
    scope: keySets(scope),
    referrals: [],
    parked: [],
    consents: [],
    spells: [],
    outcomes: [],
    supports: [],
    ...rows,
  };
}

describe('LedgerBatch: consents, jobs, outcomes and supports', () => {
  describe('consents', () => {
    const consent = (overrides: Partial<Consent> = {}): Consent =>
      ({
        consentId: CONSENT,
        clientId: CLIENT,
        purpose: 'referral-to-employment-services',
        recipients: ['eo:any'],
        grantedAt: '2025-09-15T10:00:00Z',
        source: { system: 'sams', recordId: 'x', recordVersion: 1 },
        ...overrides,
      }) as Consent;

    it('keeps the first grant time and never undoes a withdrawal, as the upsert does', () => {
      const batch = new LedgerBatch(loaded({}, { consentIds: [CONSENT] }), readDateColumn);
      expect(batch.consent(CONSENT)).toBeUndefined();
      batch.saveConsent(consent({ expiresOn: '2026-09-14' }));
      batch.saveConsent(consent({ grantedAt: '2025-10-01T00:00:00Z', withdrawnAt: '2025-10-02T00:00:00Z' }));
      batch.saveConsent(consent({ grantedAt: '2025-11-01T00:00:00Z', recipients: ['eo:provider-1'] }));
      expect(batch.consent(CONSENT.toUpperCase())).toEqual({
        consentId: CONSENT,
        clientId: CLIENT,
        purpose: 'referral-to-employment-services',
        recipients: ['eo:provider-1'],
        grantedAt: new Date('2025-09-15T10:00:00Z'),
        expiresOn: null,
        withdrawnAt: new Date('2025-10-02T00:00:00Z'),
      });
      expect(batch.changes().consents).toEqual([
        expect.objectContaining({
          consentId: CONSENT,
          grantedAt: '2025-09-15T10:00:00Z',
          withdrawnAt: '2025-10-02T00:00:00Z',
          expiresOn: null,
          recipients: ['eo:provider-1'],
        }),
      ]);
    });

    it('reads a loaded expiry date as the database pool does, and refuses a consent it did not load', () => {
      const batch = new LedgerBatch(
        loaded(
          {
            consents: [
              {
                consentId: CONSENT,
                clientId: CLIENT,
                purpose: 'p',
                recipients: [],
                grantedAt: new Date('2025-01-01T00:00:00Z'),
                expiresOn: '2026-09-14',
                withdrawnAt: null,
              },
            ],
          },
          { consentIds: [CONSENT] },
        ),
        readDateColumn,
      );
      expect(batch.consent(CONSENT)?.expiresOn?.toISOString().slice(0, 10)).toBe('2026-09-14');
      expect(() => batch.consent('c56a4180-65aa-42ec-a945-5fd21dec0539')).toThrow(/was not loaded/);
      expect(batch.changes().consents).toEqual([]);
    });
  });

  describe('jobs, outcomes and supports', () => {
    const SPELL = 'a3bb189e-8bf9-4888-9912-ace4e6543002';
    const outcome = (overrides: Partial<OutcomeMilestone> = {}): OutcomeMilestone =>
      ({
        outcomeId: 'b3bb189e-8bf9-4888-9912-ace4e6543003',
        clientId: CLIENT,
        program: 'IES',
        outcomeType: 'ies-employed-3-months',
        employmentSpellId: SPELL,
        achieved: true,
        observedOn: '2026-03-01',
        reportedBy: 'eo:provider-1',
        ...overrides,
      }) as OutcomeMilestone;

    it('moves a job only on a later word, and tells its start date as the ledger read it', () => {
      const batch = new LedgerBatch(
        loaded(
          {
            spells: [
              {
                employmentSpellId: SPELL,
                clientId: CLIENT,
                referralId: null,
                reportedBy: 'eo:provider-1',
                startDate: '2025-12-01',
                eventTimeUs: microsOf('2025-12-01T10:00:00Z'),
              },
            ],
          },
          { spellIds: [SPELL] },
        ),
        readDateColumn,
      );
      batch.saveSpell({
        employmentSpellId: SPELL,
        clientId: CLIENT,
        reportedBy: 'eo:provider-1',
        startDate: '2025-11-01',
        eventTime: '2025-12-01T10:00:00Z',
      });
      expect(batch.spellStart(SPELL)).toBe('2025-12-01');
      expect(batch.changes().spells).toEqual([]);
      batch.saveSpell({
        employmentSpellId: SPELL,
        clientId: CLIENT,
        reportedBy: 'eo:provider-1',
        startDate: '2025-11-15',
        eventTime: '2025-12-01T10:00:00.000001Z',
      });
      expect(batch.spellStart(SPELL)).toBe('2025-11-15');
      expect(batch.changes().spells).toEqual([
        expect.objectContaining({ startDate: '2025-11-15', eventTime: '2025-12-01T10:00:00.000001Z' }),
      ]);
      expect(() => batch.spellStart('a3bb189e-8bf9-4888-9912-ace4e6543009')).toThrow(/was not loaded/);
    });

    it('keeps the latest word on a milestone by event time, to the microsecond', () => {
      const batch = new LedgerBatch(
        loaded(
          {
            outcomes: [
              {
                clientId: CLIENT,
                outcomeType: 'ies-employed-3-months',
                employmentSpellId: SPELL,
                eventTimeUs: microsOf('2026-03-02T10:00:00.000005Z'),
              },
            ],
          },
          { outcomeClients: [CLIENT] },
        ),
        readDateColumn,
      );
      expect(batch.recordOutcome(outcome(), undefined, '2026-03-02T10:00:00.000005Z')).toBe(false);
      expect(batch.recordOutcome(outcome(), undefined, '2026-03-02T05:00:00.000004-05:00')).toBe(false);
      expect(batch.recordOutcome(outcome({ achieved: false }), R1, '2026-03-02T10:00:00.000006Z')).toBe(true);
      expect(
        batch.recordOutcome(outcome({ outcomeType: 'ies-employed-1-month' }), undefined, '2026-01-02T10:00:00Z'),
      ).toBe(true);
      expect([...batch.reportedMilestones(CLIENT, SPELL)].sort()).toEqual([
        'ies-employed-1-month',
        'ies-employed-3-months',
      ]);
      expect(batch.reportedMilestones(CLIENT, SPELL.toUpperCase()).size).toBe(0); // a text column: compared as written
      const written = batch.changes().outcomes;
      expect(written).toHaveLength(2);
      expect(written[0]).toMatchObject({ achieved: false, referralId: R1, eventTime: '2026-03-02T10:00:00.000006Z' });
      expect(JSON.parse(written[0].snapshot)).toMatchObject({ referralId: R1 });
      expect(() => batch.recordOutcome(outcome({ clientId: OTHER_CLIENT }), undefined, '2026-01-01T00:00:00Z')).toThrow(
        /was not loaded/,
      );
    });

    it('finds overlapping supports of the same type from the other network, by benefit id', () => {
      const row = (
        benefitId: string,
        network: string,
        periodStart: string,
        periodEnd: string | null,
        benefitType = 'work-clothing',
      ) => ({
        benefitId,
        clientId: CLIENT,
        network,
        issuedBy: `${network}:x`,
        benefitType,
        periodStart,
        periodEnd,
        referralId: null,
      });
      const batch = new LedgerBatch(
        loaded(
          {
            supports: [
              row('00000000-0000-4000-8000-00000000000b', 'ow', '2025-08-25', null),
              row('00000000-0000-4000-8000-00000000000a', 'odsp', '2025-08-01', '2025-08-31'),
              row('00000000-0000-4000-8000-00000000000c', 'ow', '2025-07-01', '2025-07-31'),
              row('00000000-0000-4000-8000-00000000000d', 'ow', '2025-08-20', null, 'transportation'),
              row('00000000-0000-4000-8000-00000000000e', 'eo', '2025-08-20', null),
            ],
          },
          { supportClients: [CLIENT] },
        ),
        readDateColumn,
      );
      const eo = row('00000000-0000-4000-8000-0000000000F1', 'eo', '2025-08-20', '2025-08-31');
      expect(batch.saveSupport(eo).map((s) => s.benefitId)).toEqual([
        '00000000-0000-4000-8000-00000000000a',
        '00000000-0000-4000-8000-00000000000b',
      ]);
      expect(batch.saveSupport(eo)).toHaveLength(2);
      // The EO support of 2025-08-20 with no end covers that day only: it does not reach 2025-08-31.
      expect(
        batch
          .saveSupport(row('00000000-0000-4000-8000-0000000000f2', 'ow', '2025-08-31', null))
          .map((s) => s.benefitId),
      ).toEqual(['00000000-0000-4000-8000-0000000000f1']);
      expect(batch.changes().supports.map((s) => s.benefitId)).toEqual([
        '00000000-0000-4000-8000-0000000000F1',
        '00000000-0000-4000-8000-0000000000f2',
      ]);
    });
  });
});
