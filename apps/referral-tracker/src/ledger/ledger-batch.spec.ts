import type { Consent, OutcomeMilestone, Referral } from '@passerelle/contracts';
import { LedgerBatch } from './ledger-batch';
import { microsOf } from './ledger-keys';
import { readDateColumn } from './ledger-reads';
import type { LoadedLedger, LoadedReferral } from './ledger-rows';

const CLIENT = '0f8fad5b-d9cb-469f-a165-70867728950e';
const OTHER_CLIENT = '1b4e28ba-2fa1-4d3b-a3f5-ef19b5a7633b';
const R1 = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
const R2 = '9b2f1c3a-0000-4000-8000-000000000002';
const R3 = '9b2f1c3a-0000-4000-8000-000000000003';
const CONSENT = 'c56a4180-65aa-42ec-a945-5fd21dec0538';

const referral = (referralId: string, overrides: Partial<Referral> = {}): Referral =>
  ({
    referralId,
    clientId: CLIENT,
    referrer: 'ow:greater-sudbury',
    consentId: CONSENT,
    status: 'requested',
    businessStatus: 'created',
    serviceWanted: 'employment-services',
    requestedAt: '2025-09-15T10:00:00Z',
    updatedAt: '2025-09-15T10:00:00Z',
    ...overrides,
  }) as Referral;

const loadedReferral = (snapshot: Referral, overrides: Partial<LoadedReferral> = {}): LoadedReferral => ({
  referralId: snapshot.referralId.toLowerCase(),
  clientId: snapshot.clientId.toLowerCase(),
  referrer: snapshot.referrer,
  provider: snapshot.provider ?? null,
  status: snapshot.status,
  consentId: snapshot.consentId,
  requestedAt: new Date(snapshot.requestedAt),
  requestedAtUs: microsOf(snapshot.requestedAt),
  snapshot,
  ageBand: null,
  region: null,
  catchment: null,
  providerType: null,
  stream: null,
  acceptedAt: null,
  ...overrides,
});

function loaded(
  rows: Partial<Omit<LoadedLedger, 'scope'>> = {},
  scope: Partial<Record<keyof LoadedLedger['scope'], string[]>> = {},
): LoadedLedger {
  const set = (name: keyof LoadedLedger['scope']) => new Set((scope[name] ?? []).map((id) => id.toLowerCase()));
  return {
    scope: {
      referralIds: set('referralIds'),
      clientReferrals: set('clientReferrals'),
      consentIds: set('consentIds'),
      spellIds: set('spellIds'),
      outcomeClients: set('outcomeClients'),
      supportClients: set('supportClients'),
    },
    referrals: rows.referrals ?? [],
    parked: rows.parked ?? [],
    consents: rows.consents ?? [],
    spells: rows.spells ?? [],
    outcomes: rows.outcomes ?? [],
    supports: rows.supports ?? [],
  };
}

const cause = (eventId: string, occurredAt: string) => ({ eventId, occurredAt });

describe('LedgerBatch', () => {
  describe('referrals', () => {
    it('answers for the ids it loaded (any case), and refuses to guess about the others', () => {
      const batch = new LedgerBatch(
        loaded({ referrals: [loadedReferral(referral(R1))] }, { referralIds: [R1, R2] }),
        readDateColumn,
      );
      expect(batch.referral(R1.toUpperCase())?.referralId).toBe(R1);
      expect(batch.referral(R2)).toBeUndefined();
      expect(() => batch.referral(R3)).toThrow(/was not loaded/);
      expect(() => batch.referralsOfClient(CLIENT, ['requested'])).toThrow(/was not loaded/);
    });

    it('writes a new referral once, with the version its updates give it, and an updated one as a version delta', () => {
      const existing = referral(R1, { provider: 'eo:provider-1', businessStatus: 'routed' });
      const batch = new LedgerBatch(
        loaded({ referrals: [loadedReferral(existing, { catchment: 'P3C' })] }, { referralIds: [R1, R2, R3] }),
        readDateColumn,
      );
      batch.insertReferral(referral(R2));
      batch.updateReferral({
        ...referral(R2),
        businessStatus: 'routed',
        provider: 'eo:provider-2',
        updatedAt: '2025-09-16T10:00:00Z',
      });
      batch.setReferralFacts(R2, { catchment: 'P3E', ageBand: '35-44' });
      batch.updateReferral({ ...existing, status: 'accepted', updatedAt: '2025-09-17T10:00:00Z' });
      batch.setReferralFacts(R1, { acceptedAt: '2025-09-17T10:00:00Z' });
      batch.updateReferral(referral(R3)); // no such row: nothing happens, as an UPDATE
      const { insertedReferrals, updatedReferrals } = batch.changes();
      expect(insertedReferrals).toEqual([
        expect.objectContaining({
          referralId: R2,
          provider: 'eo:provider-2',
          businessStatus: 'routed',
          updatedAt: '2025-09-16T10:00:00Z',
          version: 2,
          catchment: 'P3E',
          ageBand: '35-44',
          region: null,
        }),
      ]);
      expect(JSON.parse(insertedReferrals[0].snapshot)).toMatchObject({ businessStatus: 'routed' });
      expect(updatedReferrals).toEqual([
        expect.objectContaining({
          referralId: R1,
          status: 'accepted',
          version: 1,
          acceptedAt: '2025-09-17T10:00:00Z',
          catchment: null,
        }),
      ]);
      expect(batch.referralFacts(R1)).toMatchObject({
        catchment: 'P3C',
        acceptedAt: new Date('2025-09-17T10:00:00Z'),
        status: 'accepted',
      });
    });

    it('refuses to insert a referral the ledger already has', () => {
      const batch = new LedgerBatch(
        loaded({ referrals: [loadedReferral(referral(R1))] }, { referralIds: [R1] }),
        readDateColumn,
      );
      expect(() => batch.insertReferral(referral(R1.toUpperCase()))).toThrow(/already in the ledger/);
    });

    it("lists a client's referrals in the given statuses oldest first, then by id, new ones included", () => {
      const a = referral(R3, { requestedAt: '2025-09-15T10:00:00.000002Z' });
      const b = referral(R2, { requestedAt: '2025-09-15T10:00:00.000001Z' });
      const c = referral(R1, { requestedAt: '2025-09-15T10:00:00.000002Z', status: 'accepted' });
      const other = referral('9b2f1c3a-0000-4000-8000-000000000004', { clientId: OTHER_CLIENT });
      const batch = new LedgerBatch(
        loaded(
          { referrals: [a, c, other].map((r) => loadedReferral(r)) },
          { clientReferrals: [CLIENT, OTHER_CLIENT], referralIds: [R2] },
        ),
        readDateColumn,
      );
      batch.insertReferral(b);
      expect(batch.referralsOfClient(CLIENT.toUpperCase(), ['requested']).map((r) => r.referralId)).toEqual([R2, R3]);
      expect(batch.referralsOfClient(CLIENT, ['requested', 'accepted']).map((r) => r.referralId)).toEqual([R2, R1, R3]);
    });

    it('finds the referral a provider took last for a client (the one its unlinked events belong to)', () => {
      const older = referral(R1, {
        provider: 'eo:provider-1',
        status: 'completed',
        requestedAt: '2025-01-01T00:00:00Z',
      });
      const newer = referral(R2, {
        provider: 'eo:provider-1',
        status: 'in-progress',
        requestedAt: '2025-06-01T00:00:00Z',
      });
      const untaken = referral(R3, {
        provider: 'eo:provider-1',
        status: 'requested',
        requestedAt: '2025-09-01T00:00:00Z',
      });
      const batch = new LedgerBatch(
        loaded({ referrals: [older, newer, untaken].map((r) => loadedReferral(r)) }, { clientReferrals: [CLIENT] }),
        readDateColumn,
      );
      expect(batch.referralServedBy(CLIENT, 'eo:provider-1')).toBe(R2);
      expect(batch.referralServedBy(CLIENT, 'eo:provider-2')).toBeUndefined();
      expect(() => batch.referralServedBy(OTHER_CLIENT, 'eo:provider-1')).toThrow(/was not loaded/);
    });
  });

  describe('parked events', () => {
    it('gives back the events parked for a routed referral oldest first (loaded ones by id within a time), and writes only what is left', () => {
      const at = '2025-09-16T10:00:00Z';
      const batch = new LedgerBatch(
        loaded(
          {
            referrals: [loadedReferral(referral(R1, { provider: 'eo:provider-1' })), loadedReferral(referral(R2))],
            parked: [
              {
                id: '10',
                referralId: R1,
                type: 't',
                data: { n: 'loaded-10' },
                cause: cause('e10', at),
                eventTime: new Date(at),
              },
              {
                id: '9',
                referralId: R1,
                type: 't',
                data: { n: 'loaded-9' },
                cause: cause('e9', at),
                eventTime: new Date(at),
              },
              {
                id: '11',
                referralId: R2,
                type: 't',
                data: { n: 'unrouted' },
                cause: cause('e11', at),
                eventTime: new Date(at),
              },
            ],
          },
          { referralIds: [R1, R2, R3], clientReferrals: [CLIENT] },
        ),
        readDateColumn,
      );
      batch.park(R1, { type: 't', data: { n: 'new-early' }, cause: cause('n1', '2025-09-15T10:00:00Z') });
      batch.park(R1, { type: 't', data: { n: 'new-same-time' }, cause: cause('n2', at) });
      batch.park(R3, { type: 't', data: { n: 'for-unknown' }, cause: cause('n3', at) });
      expect(batch.routedWithParkedEvents(CLIENT)).toEqual([R1]);
      expect(batch.unpark(R1).map((p) => (p.data as { n: string }).n)).toEqual([
        'new-early',
        'loaded-9',
        'loaded-10',
        'new-same-time',
      ]);
      expect(batch.unpark(R1)).toEqual([]);
      expect(() =>
        batch.park('9b2f1c3a-0000-4000-8000-0000000000ff', { type: 't', data: {}, cause: cause('x', at) }),
      ).toThrow(/was not loaded/);
      const { parkedInserts, parkedDeletes } = batch.changes();
      expect(parkedDeletes.sort()).toEqual(['10', '9']);
      expect(parkedInserts).toEqual([
        {
          referralId: R3,
          eventType: 't',
          data: '{"n":"for-unknown"}',
          cause: JSON.stringify(cause('n3', at)),
          eventTime: at,
        },
      ]);
    });
  });

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

  describe('timers and outbox', () => {
    const spec = (key: string, dueAt = '2025-09-20T12:00:00Z') => ({
      key,
      kind: 'k',
      clientId: CLIENT,
      dueAt,
      payload: {},
    });

    it('turns schedules and cancels into three statements that end where one call after another would', () => {
      const batch = LedgerBatch.empty(readDateColumn);
      batch.scheduleTimer(spec('a'));
      batch.cancelTimer('a', '2025-09-16T00:00:00Z');
      batch.cancelTimer('a', '2025-09-17T00:00:00Z');
      batch.cancelTimer('b', '2025-09-16T00:00:00Z');
      batch.scheduleTimer(spec('b'));
      batch.scheduleTimer(spec('c'));
      batch.scheduleTimer(spec('c', '2030-01-01T00:00:00Z'));
      batch.cancelTimer('d', '2025-09-18T00:00:00Z');
      expect(batch.changes().timers).toEqual({
        cancelFirst: [
          { key: 'b', at: '2025-09-16T00:00:00Z' },
          { key: 'd', at: '2025-09-18T00:00:00Z' },
        ],
        schedule: [spec('a'), spec('b'), spec('c')],
        cancelAfter: [{ key: 'a', at: '2025-09-16T00:00:00Z' }],
      });
    });

    it('serializes what it emits at once, in order', () => {
      const batch = LedgerBatch.empty(readDateColumn);
      const event = { id: 'e1', data: { status: 'routed' } };
      batch.emit([
        { topic: 't1', event },
        { topic: 't2', event: { id: 'e2' } },
      ]);
      event.data.status = 'changed later';
      expect(batch.changes().outbox).toEqual([
        { topic: 't1', json: '{"id":"e1","data":{"status":"routed"}}' },
        { topic: 't2', json: '{"id":"e2"}' },
      ]);
    });
  });
});
