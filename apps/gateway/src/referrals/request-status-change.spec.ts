import type { Referral } from '@passerelle/contracts';
import { problemOf, recordingEventSender } from '../../../../test/support/gateway-use-cases';
import type { ReferralReadModel } from '../ledger/referral-read-model';
import type { ReferralSubmissionRepository } from './referral-submission.repository';
import { RequestStatusChange, type StatusChangeAsk } from './request-status-change';

const REFERRAL_ID = '0b0e7c1e-3c55-4d3a-9d7e-5f1b2a3c4d5e';
const CLIENT_ID = '7f9c2ba4-e88f-4c3a-b1a2-3d4e5f6a7b8c';

/**
 * The use case over a ledger holding the caller's referral in `status` (none: not on its side),
 * its change event applied at `applied` (none: not applied), and the referrer's submission row
 * when `pending` (accepted, not yet tracked).
 */
function statusChanges(status?: Referral['status'], options: { applied?: Date; pending?: boolean } = {}) {
  const ledger = {
    find: () => Promise.resolve(status && { referralId: REFERRAL_ID, clientId: CLIENT_ID, status }),
    appliedAt: () => Promise.resolve(options.applied),
  };
  const submissions = {
    findOfReferrer: () => Promise.resolve(options.pending ? { referralId: REFERRAL_ID } : undefined),
  };
  const { events, sent } = recordingEventSender();
  const useCase = new RequestStatusChange(
    ledger as unknown as ReferralReadModel,
    submissions as unknown as ReferralSubmissionRepository,
    events,
  );
  return { useCase, sent };
}

/** What a provider asks of the referral routed to it. */
const provider = (change: StatusChangeAsk['change'], reason?: string, requestKey = 'key-1'): StatusChangeAsk => ({
  org: 'eo:provider-7',
  actor: 'provider',
  referralId: REFERRAL_ID,
  change,
  ...(reason !== undefined && { reason }),
  requestKey,
});

const enteredInError: StatusChangeAsk = {
  org: 'ow:toronto',
  actor: 'referrer',
  referralId: REFERRAL_ID,
  change: 'entered-in-error',
  requestKey: 'key-1',
};

describe('RequestStatusChange: provider on-hold', () => {
  it('sends the hold of an accepted referral, with its reason, to the tracker', async () => {
    const { useCase, sent } = statusChanges('accepted');
    expect(await useCase.execute(provider('on-hold', 'medical leave'))).toMatchObject({
      referralId: REFERRAL_ID,
      change: 'on-hold',
      eventId: 'event-1',
    });
    expect(sent[0]).toMatchObject({
      type: 'ca.on.passerelle.referral.status-change-requested',
      requestKey: 'key-1',
      data: {
        referralId: REFERRAL_ID,
        clientId: CLIENT_ID,
        requestedBy: 'eo:provider-7',
        actor: 'provider',
        change: 'on-hold',
        reason: 'medical leave',
      },
    });
  });

  it('answers a retry already applied as the first try, sending nothing', async () => {
    const { useCase, sent } = statusChanges('on-hold', { applied: new Date('2026-12-01T15:00:00.000Z') });
    expect(await useCase.execute(provider('on-hold', 'medical leave'))).toEqual({
      referralId: REFERRAL_ID,
      change: 'on-hold',
      requestedAt: '2026-12-01T15:00:00.000Z',
      eventId: 'event-1',
    });
    expect(sent).toEqual([]);
  });

  it('is 404 for a referral not routed to the caller, 409 for one not yet accepted', async () => {
    const stranger = statusChanges();
    expect(await problemOf(stranger.useCase.execute(provider('on-hold', 'x', 'k')))).toEqual({
      status: 404,
      detail: 'no such referral',
    });
    const requested = statusChanges('requested');
    expect((await problemOf(requested.useCase.execute(provider('on-hold', 'x', 'k')))).status).toBe(409);
    expect([...stranger.sent, ...requested.sent]).toHaveLength(0);
  });
});

describe('RequestStatusChange: provider resume', () => {
  it('sends the resumption of a referral on hold to the tracker, without a reason', async () => {
    const { useCase, sent } = statusChanges('on-hold');
    expect(await useCase.execute(provider('resume'))).toMatchObject({ change: 'resume' });
    expect(sent[0]?.data).toMatchObject({ actor: 'provider', change: 'resume', requestedBy: 'eo:provider-7' });
    expect(sent[0]?.data).not.toHaveProperty('reason');
  });

  it('is 409 for a referral that is not on hold, and sends nothing', async () => {
    for (const status of ['accepted', 'in-progress', 'cancelled'] as const) {
      const { useCase, sent } = statusChanges(status);
      expect((await problemOf(useCase.execute(provider('resume', undefined, 'k')))).status).toBe(409);
      expect(sent).toEqual([]);
    }
  });
});

describe('RequestStatusChange: provider cancel', () => {
  it("sends the provider's cancellation of an open referral, with its reason, to the tracker", async () => {
    for (const status of ['requested', 'accepted', 'in-progress', 'on-hold'] as const) {
      const { useCase, sent } = statusChanges(status);
      expect(await useCase.execute(provider('cancel', 'unreachable'))).toMatchObject({ change: 'cancel' });
      expect(sent[0]?.data).toMatchObject({ actor: 'provider', change: 'cancel', reason: 'unreachable' });
    }
  });

  it('is 409 for a referral already closed', async () => {
    const { useCase, sent } = statusChanges('completed');
    expect((await problemOf(useCase.execute(provider('cancel', 'x', 'k')))).status).toBe(409);
    expect(sent).toEqual([]);
  });
});

describe('RequestStatusChange: provider no-show', () => {
  it('sends a no-show on a referral the provider took on and that is still open', async () => {
    for (const status of ['accepted', 'in-progress', 'on-hold'] as const) {
      const { useCase, sent } = statusChanges(status);
      expect(await useCase.execute(provider('no-show'))).toMatchObject({ change: 'no-show' });
      expect(sent[0]?.data).toMatchObject({ actor: 'provider', change: 'no-show' });
    }
  });

  it('is 409 on a referral not taken on, or closed', async () => {
    for (const status of ['requested', 'completed', 'cancelled'] as const) {
      const { useCase, sent } = statusChanges(status);
      expect(await problemOf(useCase.execute(provider('no-show', undefined, 'k')))).toEqual({
        status: 409,
        detail: `A no-show cannot be recorded on a referral that is ${status}.`,
      });
      expect(sent).toEqual([]);
    }
  });
});

describe('RequestStatusChange: referrer entered-in-error', () => {
  it("sends the referrer's voiding of an open referral to the tracker", async () => {
    const { useCase, sent } = statusChanges('in-progress');
    expect(await useCase.execute(enteredInError)).toMatchObject({ change: 'entered-in-error' });
    expect(sent[0]).toMatchObject({
      type: 'ca.on.passerelle.referral.status-change-requested',
      route: '/v1/referrals',
      data: { requestedBy: 'ow:toronto', actor: 'referrer', change: 'entered-in-error' },
    });
  });

  it('is 409 for a closed referral, 409 for one not tracked yet, 404 for an unknown one', async () => {
    const ask = { ...enteredInError, requestKey: 'k' };
    const closed = statusChanges('cancelled');
    expect((await problemOf(closed.useCase.execute(ask))).status).toBe(409);
    const pending = statusChanges(undefined, { pending: true });
    expect(await problemOf(pending.useCase.execute(ask))).toEqual({
      status: 409,
      detail: 'the referral is not recorded by the tracker yet; retry in a moment',
    });
    const unknown = statusChanges();
    expect((await problemOf(unknown.useCase.execute(ask))).status).toBe(404);
    expect([...closed.sent, ...pending.sent, ...unknown.sent]).toHaveLength(0);
  });

  it('is 404, not 409, for a provider whose referral is missing even if a referrer submitted one', async () => {
    const { useCase, sent } = statusChanges(undefined, { pending: true });
    expect((await problemOf(useCase.execute(provider('cancel', 'x', 'k')))).status).toBe(404);
    expect(sent).toEqual([]);
  });
});
