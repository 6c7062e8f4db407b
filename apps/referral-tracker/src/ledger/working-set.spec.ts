import type { Consent, OutcomeMilestone, Referral } from '@passerelle/contracts';
import { WorkingSet, microsOf, type LoadedLedger, type LoadedReferral } from './working-set';

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

describe('WorkingSet', () => {
  describe('referrals', () => {
    it('answers for the ids it loaded (any case), and refuses to guess about the others', () => {
      const ws = new WorkingSet(loaded({ referrals: [loadedReferral(referral(R1))] }, { referralIds: [R1, R2] }));
      expect(ws.referral(R1.toUpperCase())?.referralId).toBe(R1);
      expect(ws.referral(R2)).toBeUndefined();
      expect(() => ws.referral(R3)).toThrow(/was not loaded/);
      expect(() => ws.referralsOfClient(CLIENT, ['requested'])).toThrow(/was not loaded/);
    });

    it('writes a new referral once, with the version its updates give it, and an updated one as a version delta', () => {
      const existing = referral(R1, { provider: 'eo:provider-1', businessStatus: 'routed' });
      const ws = new WorkingSet(
        loaded({ referrals: [loadedReferral(existing, { catchment: 'P3C' })] }, { referralIds: [R1, R2, R3] }),
      );
      ws.insertReferral(referral(R2));
      ws.updateReferral({
        ...referral(R2),
        businessStatus: 'routed',
        provider: 'eo:provider-2',
        updatedAt: '2025-09-16T10:00:00Z',
      });
      ws.setReferralFacts(R2, { catchment: 'P3E', ageBand: '35-44' });
      ws.updateReferral({ ...existing, status: 'accepted', updatedAt: '2025-09-17T10:00:00Z' });
      ws.setReferralFacts(R1, { acceptedAt: '2025-09-17T10:00:00Z' });
      ws.updateReferral(referral(R3)); // no such row: nothing happens, as an UPDATE
      const { insertedReferrals, updatedReferrals } = ws.changes();
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
      expect(ws.referralFacts(R1)).toMatchObject({
        catchment: 'P3C',
        acceptedAt: new Date('2025-09-17T10:00:00Z'),
        status: 'accepted',
      });
    });

    it('refuses to insert a referral the ledger already has', () => {
      const ws = new WorkingSet(loaded({ referrals: [loadedReferral(referral(R1))] }, { referralIds: [R1] }));
      expect(() => ws.insertReferral(referral(R1.toUpperCase()))).toThrow(/already in the ledger/);
    });

    it("lists a client's referrals in the given statuses oldest first, then by id, new ones included", () => {
      const a = referral(R3, { requestedAt: '2025-09-15T10:00:00.000002Z' });
      const b = referral(R2, { requestedAt: '2025-09-15T10:00:00.000001Z' });
      const c = referral(R1, { requestedAt: '2025-09-15T10:00:00.000002Z', status: 'accepted' });
      const other = referral('9b2f1c3a-0000-4000-8000-000000000004', { clientId: OTHER_CLIENT });
      const ws = new WorkingSet(
        loaded(
          { referrals: [a, c, other].map((r) => loadedReferral(r)) },
          { clientReferrals: [CLIENT, OTHER_CLIENT], referralIds: [R2] },
        ),
      );
      ws.insertReferral(b);
      expect(ws.referralsOfClient(CLIENT.toUpperCase(), ['requested']).map((r) => r.referralId)).toEqual([R2, R3]);
      expect(ws.referralsOfClient(CLIENT, ['requested', 'accepted']).map((r) => r.referralId)).toEqual([R2, R1, R3]);
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
      const ws = new WorkingSet(
        loaded({ referrals: [older, newer, untaken].map((r) => loadedReferral(r)) }, { clientReferrals: [CLIENT] }),
      );
      expect(ws.referralServedBy(CLIENT, 'eo:provider-1')).toBe(R2);
      expect(ws.referralServedBy(CLIENT, 'eo:provider-2')).toBeUndefined();
      expect(() => ws.referralServedBy(OTHER_CLIENT, 'eo:provider-1')).toThrow(/was not loaded/);
    });
  });

  describe('parked events', () => {
    it('gives back the events parked for a routed referral oldest first (loaded ones by id within a time), and writes only what is left', () => {
      const at = '2025-09-16T10:00:00Z';
      const ws = new WorkingSet(
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
      );
      ws.park(R1, { type: 't', data: { n: 'new-early' }, cause: cause('n1', '2025-09-15T10:00:00Z') });
      ws.park(R1, { type: 't', data: { n: 'new-same-time' }, cause: cause('n2', at) });
      ws.park(R3, { type: 't', data: { n: 'for-unknown' }, cause: cause('n3', at) });
      expect(ws.routedWithParkedEvents(CLIENT)).toEqual([R1]);
      expect(ws.unpark(R1).map((p) => (p.data as { n: string }).n)).toEqual([
        'new-early',
        'loaded-9',
        'loaded-10',
        'new-same-time',
      ]);
      expect(ws.unpark(R1)).toEqual([]);
      expect(() =>
        ws.park('9b2f1c3a-0000-4000-8000-0000000000ff', { type: 't', data: {}, cause: cause('x', at) }),
      ).toThrow(/was not loaded/);
      const { parkedInserts, parkedDeletes } = ws.changes();
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
      const ws = new WorkingSet(loaded({}, { consentIds: [CONSENT] }));
      expect(ws.consent(CONSENT)).toBeUndefined();
      ws.saveConsent(consent({ expiresOn: '2026-09-14' }));
      ws.saveConsent(consent({ grantedAt: '2025-10-01T00:00:00Z', withdrawnAt: '2025-10-02T00:00:00Z' }));
      ws.saveConsent(consent({ grantedAt: '2025-11-01T00:00:00Z', recipients: ['eo:provider-1'] }));
      expect(ws.consent(CONSENT.toUpperCase())).toEqual({
        consentId: CONSENT,
        clientId: CLIENT,
        purpose: 'referral-to-employment-services',
        recipients: ['eo:provider-1'],
        grantedAt: new Date('2025-09-15T10:00:00Z'),
        expiresOn: null,
        withdrawnAt: new Date('2025-10-02T00:00:00Z'),
      });
      expect(ws.changes().consents).toEqual([
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
      const ws = new WorkingSet(
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
      );
      expect(ws.consent(CONSENT)?.expiresOn?.toISOString().slice(0, 10)).toBe('2026-09-14');
      expect(() => ws.consent('c56a4180-65aa-42ec-a945-5fd21dec0539')).toThrow(/was not loaded/);
      expect(ws.changes().consents).toEqual([]);
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
      const ws = new WorkingSet(
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
      );
      ws.saveSpell({
        employmentSpellId: SPELL,
        clientId: CLIENT,
        reportedBy: 'eo:provider-1',
        startDate: '2025-11-01',
        eventTime: '2025-12-01T10:00:00Z',
      });
      expect(ws.spellStart(SPELL)).toBe('2025-12-01');
      expect(ws.changes().spells).toEqual([]);
      ws.saveSpell({
        employmentSpellId: SPELL,
        clientId: CLIENT,
        reportedBy: 'eo:provider-1',
        startDate: '2025-11-15',
        eventTime: '2025-12-01T10:00:00.000001Z',
      });
      expect(ws.spellStart(SPELL)).toBe('2025-11-15');
      expect(ws.changes().spells).toEqual([
        expect.objectContaining({ startDate: '2025-11-15', eventTime: '2025-12-01T10:00:00.000001Z' }),
      ]);
      expect(() => ws.spellStart('a3bb189e-8bf9-4888-9912-ace4e6543009')).toThrow(/was not loaded/);
    });

    it('keeps the latest word on a milestone by event time, to the microsecond', () => {
      const ws = new WorkingSet(
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
      );
      expect(ws.recordOutcome(outcome(), undefined, '2026-03-02T10:00:00.000005Z')).toBe(false);
      expect(ws.recordOutcome(outcome(), undefined, '2026-03-02T05:00:00.000004-05:00')).toBe(false);
      expect(ws.recordOutcome(outcome({ achieved: false }), R1, '2026-03-02T10:00:00.000006Z')).toBe(true);
      expect(
        ws.recordOutcome(outcome({ outcomeType: 'ies-employed-1-month' }), undefined, '2026-01-02T10:00:00Z'),
      ).toBe(true);
      expect([...ws.reportedMilestones(CLIENT, SPELL)].sort()).toEqual([
        'ies-employed-1-month',
        'ies-employed-3-months',
      ]);
      expect(ws.reportedMilestones(CLIENT, SPELL.toUpperCase()).size).toBe(0); // a text column: compared as written
      const written = ws.changes().outcomes;
      expect(written).toHaveLength(2);
      expect(written[0]).toMatchObject({ achieved: false, referralId: R1, eventTime: '2026-03-02T10:00:00.000006Z' });
      expect(JSON.parse(written[0].snapshot)).toMatchObject({ referralId: R1 });
      expect(() => ws.recordOutcome(outcome({ clientId: OTHER_CLIENT }), undefined, '2026-01-01T00:00:00Z')).toThrow(
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
      const ws = new WorkingSet(
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
      );
      const eo = row('00000000-0000-4000-8000-0000000000F1', 'eo', '2025-08-20', '2025-08-31');
      expect(ws.saveSupport(eo).map((s) => s.benefitId)).toEqual([
        '00000000-0000-4000-8000-00000000000a',
        '00000000-0000-4000-8000-00000000000b',
      ]);
      expect(ws.saveSupport(eo)).toHaveLength(2);
      // The EO support of 2025-08-20 with no end covers that day only: it does not reach 2025-08-31.
      expect(
        ws.saveSupport(row('00000000-0000-4000-8000-0000000000f2', 'ow', '2025-08-31', null)).map((s) => s.benefitId),
      ).toEqual(['00000000-0000-4000-8000-0000000000f1']);
      expect(ws.changes().supports.map((s) => s.benefitId)).toEqual([
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
      const ws = WorkingSet.empty();
      ws.scheduleTimer(spec('a'));
      ws.cancelTimer('a', '2025-09-16T00:00:00Z');
      ws.cancelTimer('a', '2025-09-17T00:00:00Z');
      ws.cancelTimer('b', '2025-09-16T00:00:00Z');
      ws.scheduleTimer(spec('b'));
      ws.scheduleTimer(spec('c'));
      ws.scheduleTimer(spec('c', '2030-01-01T00:00:00Z'));
      ws.cancelTimer('d', '2025-09-18T00:00:00Z');
      expect(ws.changes().timers).toEqual({
        cancelFirst: [
          { key: 'b', at: '2025-09-16T00:00:00Z' },
          { key: 'd', at: '2025-09-18T00:00:00Z' },
        ],
        schedule: [spec('a'), spec('b'), spec('c')],
        cancelAfter: [{ key: 'a', at: '2025-09-16T00:00:00Z' }],
      });
    });

    it('serializes what it emits at once, in order', () => {
      const ws = WorkingSet.empty();
      const event = { id: 'e1', data: { status: 'routed' } };
      ws.emit([
        { topic: 't1', event },
        { topic: 't2', event: { id: 'e2' } },
      ]);
      event.data.status = 'changed later';
      expect(ws.changes().outbox).toEqual([
        { topic: 't1', json: '{"id":"e1","data":{"status":"routed"}}' },
        { topic: 't2', json: '{"id":"e2"}' },
      ]);
    });
  });

  describe('microsOf', () => {
    it('reads RFC 3339 times to the microsecond, whatever the offset', () => {
      expect(microsOf('2025-09-15T10:00:00.000001Z') - microsOf('2025-09-15T10:00:00Z')).toBe(1);
      expect(microsOf('2025-09-15T06:00:00.5-04:00')).toBe(microsOf('2025-09-15T10:00:00.500000Z'));
      expect(microsOf('2025-09-15T10:00:00.0000004Z')).toBe(microsOf('2025-09-15T10:00:00Z'));
      expect(microsOf('2025-09-15')).toBe(Date.parse('2025-09-15') * 1000);
      expect(() => microsOf('not a time')).toThrow(/not a date-time/);
    });
  });
});
