import type { Referral, ReferralNotification, ReferralRefusal } from '@passerelle/contracts';
import { TopicNames } from '@passerelle/messaging';
import { readDateColumn } from '@passerelle/persistence';
import { LedgerBatch } from '../ledger/ledger-batch';
import { keySets, microsOf } from '../ledger/ledger-keys';
import type { LoadedReferral } from '../ledger/ledger-rows';
import { GATEWAY_REFUSER, ReferralRefusals, refusalChange } from './referral-refusals';
import { TrackerError } from './tracker.error';

const REFERRAL_ID = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
const CLIENT = '0f8fad5b-d9cb-469f-a165-70867728950e';
const CONSENT = 'c37136c6-3d79-54bb-89c9-be2ad2af2f34';
const cause = { eventId: '5d2c1b0a-9f8e-5d7c-8b6a-5f4e3d2c1b0a', occurredAt: '2026-03-02T14:00:00.000Z' };
const reason = { code: 'CONSENT_NOT_FOUND', field: '/referralRequest/consentId', message: '"C-9" is not in /consents' };

const referral = (overrides: Partial<Referral> = {}): Referral => ({
  referralId: REFERRAL_ID,
  clientId: CLIENT,
  program: 'OW',
  source: { system: 'sams', recordId: 'SUD-CR-1', recordVersion: 1 },
  referrer: 'ow:greater-sudbury',
  sourceReferralId: 'SUD-REF-1',
  pathway: 'caseworker',
  serviceWanted: 'employment-services',
  consentId: CONSENT,
  status: 'requested',
  businessStatus: 'created',
  requestedAt: '2026-03-02T13:00:00.000Z',
  updatedAt: '2026-03-02T13:00:00.000Z',
  ...overrides,
});

const refusal = (overrides: Partial<ReferralRefusal> = {}): ReferralRefusal => ({
  referralId: REFERRAL_ID,
  clientId: CLIENT,
  referrer: 'ow:greater-sudbury',
  sourceReferralId: 'SUD-REF-1',
  program: 'OW',
  source: { system: 'sams', recordId: 'SUD-CR-1', recordVersion: 1 },
  pathway: 'caseworker',
  serviceWanted: 'employment-services',
  consentId: CONSENT,
  requestedAt: '2026-03-02T13:00:00.000Z',
  reason,
  occurredAt: '2026-03-02T13:00:00.000Z',
  ...overrides,
});

/** A batch that loaded the referral's row (`known`), or found none. */
function batchWith(known?: Referral): LedgerBatch {
  const rows: LoadedReferral[] =
    known === undefined
      ? []
      : [
          {
            referralId: known.referralId,
            clientId: known.clientId,
            referrer: known.referrer,
            provider: known.provider ?? null,
            status: known.status,
            consentId: known.consentId,
            requestedAt: new Date(known.requestedAt),
            requestedAtUs: microsOf(known.requestedAt),
            snapshot: known,
            ageBand: null,
            region: null,
            catchment: null,
            providerType: null,
            stream: null,
            acceptedAt: null,
          },
        ];
  return new LedgerBatch(
    {
      scope: keySets({ referralIds: [REFERRAL_ID] }),
      referrals: rows,
      parked: [],
      consents: [],
      spells: [],
      outcomes: [],
      supports: [],
    },
    readDateColumn,
  );
}

const names = new TopicNames('t.');
const outboxTypes = (batch: LedgerBatch) =>
  batch.changes().outbox.map((m) => [m.topic, (JSON.parse(m.json) as { type: string }).type]);
const notificationIn = (batch: LedgerBatch): ReferralNotification =>
  (
    JSON.parse(batch.changes().outbox.find((m) => m.topic === 't.notifications.v1')!.json) as {
      data: ReferralNotification;
    }
  ).data;

describe('refusalChange', () => {
  it('rejects a requested referral as refused by the gateway, the refusal kept beside a decline code', () => {
    expect(refusalChange(referral(), reason)).toEqual({
      kind: 'rejected',
      referral: referral({
        status: 'rejected',
        businessStatus: 'refused-by-gateway',
        statusReason: { declineReason: 'other', text: reason.message, refusal: reason },
      }),
    });
  });

  it('rejects a routed referral that is still requested too', () => {
    const routed = referral({ provider: 'eo:provider-7', businessStatus: 'routed' });
    expect(refusalChange(routed, reason)).toMatchObject({
      kind: 'rejected',
      referral: { provider: 'eo:provider-7', businessStatus: 'refused-by-gateway' },
    });
  });

  it.each(['accepted', 'in-progress', 'on-hold', 'completed', 'cancelled', 'rejected'] as const)(
    'never takes back a referral that moved on (%s): history only',
    (status) => {
      expect(refusalChange(referral({ status, businessStatus: 'accepted' }), reason)).toEqual({ kind: 'history-only' });
    },
  );
});

describe('ReferralRefusals', () => {
  const refusals = new ReferralRefusals(names);

  it('records a referral it never saw and rejects it, telling the referrer `refused` with the code and field', () => {
    const batch = batchWith();
    refusals.refusedUpstream(batch, refusal(), cause);
    const changes = batch.changes();
    expect(changes.insertedReferrals).toEqual([
      expect.objectContaining({ referralId: REFERRAL_ID, status: 'rejected', businessStatus: 'refused-by-gateway' }),
    ]);
    expect(changes.history.map((h) => [h.fromStatus, h.toStatus, h.actor, h.actorOrg])).toEqual([
      [null, 'requested', 'referrer', 'ow:greater-sudbury'],
      ['requested', 'rejected', 'system', GATEWAY_REFUSER],
    ]);
    expect(changes.history[1].reason).toEqual({ code: reason.code, text: reason.message, field: reason.field });
    expect(outboxTypes(batch)).toEqual([
      ['t.referrals.v1', 'ca.on.passerelle.referral.rejected'],
      ['t.notifications.v1', 'ca.on.passerelle.notification.referral-status-changed'],
    ]);
    expect(notificationIn(batch)).toMatchObject({
      recipient: 'ow:greater-sudbury',
      change: 'refused',
      status: 'rejected',
      businessStatus: 'refused-by-gateway',
      reason: { code: 'CONSENT_NOT_FOUND', field: '/referralRequest/consentId', text: reason.message },
    });
  });

  it('rejects a known referral still requested, and cancels its response deadline', () => {
    const batch = batchWith(referral({ provider: 'eo:provider-7', businessStatus: 'routed' }));
    refusals.refusedUpstream(batch, refusal(), cause);
    const changes = batch.changes();
    expect(changes.updatedReferrals).toEqual([expect.objectContaining({ status: 'rejected' })]);
    expect(changes.timers.cancelFirst).toEqual([expect.objectContaining({ key: `overdue:${REFERRAL_ID}` })]);
  });

  it('writes a late refusal of a referral that moved on into its history only: no change, no event', () => {
    const batch = batchWith(referral({ status: 'accepted', businessStatus: 'accepted', provider: 'eo:provider-7' }));
    refusals.refusedUpstream(batch, refusal(), cause);
    const changes = batch.changes();
    expect(changes.updatedReferrals).toEqual([]);
    expect(changes.outbox).toEqual([]);
    expect(changes.history).toEqual([
      expect.objectContaining({
        fromStatus: 'accepted',
        toStatus: 'accepted',
        businessStatus: 'accepted',
        actor: 'system',
        reason: { code: reason.code, text: reason.message, field: reason.field },
      }),
    ]);
  });

  it('keeps a reason code it has no label for as it is (a code added later)', () => {
    const batch = batchWith();
    const unknown = { code: 'SOMETHING_NEW', message: 'a refusal of a kind this tracker does not know' };
    refusals.refusedUpstream(batch, refusal({ reason: unknown }), cause);
    expect(notificationIn(batch)).toMatchObject({ change: 'refused', reason: { code: 'SOMETHING_NEW' } });
    expect(notificationIn(batch).reason).not.toHaveProperty('field');
  });

  it('refuses (DLQ) a refusal of a referral it never saw that does not describe it', () => {
    const batch = batchWith();
    const bare = refusal();
    delete bare.pathway;
    expect(() => refusals.refusedUpstream(batch, bare, cause)).toThrow(TrackerError);
    expect(batch.changes().history).toEqual([]);
  });
});
