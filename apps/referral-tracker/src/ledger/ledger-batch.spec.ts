import type { Referral } from '@passerelle/contracts';
import { LedgerBatch } from './ledger-batch';
import { keySets, microsOf } from './ledger-keys';
import { readDateColumn } from '@passerelle/persistence';
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
  return {
    scope: keySets(scope),
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
