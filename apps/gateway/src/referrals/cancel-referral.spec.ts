import type { Referral } from '@passerelle/contracts';
import { problemOf, recordingEventSender } from '../../../../test/support/gateway-use-cases';
import type { ReferralReadModel } from '../ledger/referral-read-model';
import { CancelReferral } from './cancel-referral';
import type { ReferralSubmission, ReferralSubmissionRepository } from './referral-submission.repository';

const REFERRAL_ID = '0b0e7c1e-3c55-4d3a-9d7e-5f1b2a3c4d5e';
const CLIENT_ID = '7f9c2ba4-e88f-4c3a-b1a2-3d4e5f6a7b8c';

/** A use case over a ledger holding `tracked` and a submissions table holding `submitted`, recording what it sends. */
function cancelReferral(tracked?: Partial<Referral>, submitted?: ReferralSubmission, applied?: Date) {
  const ledger = {
    find: () => Promise.resolve(tracked && { referralId: REFERRAL_ID, clientId: CLIENT_ID, ...tracked }),
    appliedAt: () => Promise.resolve(applied),
  };
  const submissions = { findOfReferrer: () => Promise.resolve(submitted) };
  const { events, sent } = recordingEventSender();
  const useCase = new CancelReferral(
    ledger as unknown as ReferralReadModel,
    submissions as unknown as ReferralSubmissionRepository,
    events,
  );
  return { useCase, sent };
}

describe('CancelReferral', () => {
  it('sends the cancellation of an open referral to the tracker, with the request key its event id derives from', async () => {
    const { useCase, sent } = cancelReferral({ status: 'requested' });
    const requested = await useCase.execute('ow:toronto', REFERRAL_ID, 'moved away', 'key-1');
    expect(requested).toMatchObject({ referralId: REFERRAL_ID, change: 'cancel', eventId: 'event-1' });
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      org: 'ow:toronto',
      requestKey: 'key-1',
      type: 'ca.on.passerelle.referral.cancellation-requested',
      clientId: CLIENT_ID,
      data: { referralId: REFERRAL_ID, reason: 'moved away', requestedBy: 'ow:toronto' },
    });
  });

  it('answers a retry whose cancellation the tracker already applied as the first try, sending nothing', async () => {
    const { useCase, sent } = cancelReferral({ status: 'cancelled' }, undefined, new Date('2026-12-01T15:00:00.000Z'));
    expect(await useCase.execute('ow:toronto', REFERRAL_ID, 'moved away', 'key-1')).toEqual({
      referralId: REFERRAL_ID,
      change: 'cancel',
      requestedAt: '2026-12-01T15:00:00.000Z',
      eventId: 'event-1',
    });
    expect(sent).toEqual([]);
  });

  it('refuses what the lifecycle refuses with a 409, and sends nothing', async () => {
    const { useCase, sent } = cancelReferral({ status: 'completed' });
    expect((await problemOf(useCase.execute('ow:toronto', REFERRAL_ID, 'moved', 'key-2'))).status).toBe(409);
    expect(sent).toHaveLength(0);
  });

  it('is 409 for a submission the tracker has not recorded yet, 404 for no referral at all', async () => {
    const pending = cancelReferral(undefined, {
      referralId: REFERRAL_ID,
      referrer: 'ow:toronto',
      sourceReferralId: 'R-1',
    });
    expect(await problemOf(pending.useCase.execute('ow:toronto', REFERRAL_ID, 'moved', 'key-3'))).toEqual({
      status: 409,
      detail: 'the referral is not recorded by the tracker yet; retry in a moment',
    });
    const missing = cancelReferral();
    expect(await problemOf(missing.useCase.execute('ow:toronto', REFERRAL_ID, 'moved', 'key-4'))).toEqual({
      status: 404,
      detail: 'no such referral',
    });
    expect([...pending.sent, ...missing.sent]).toHaveLength(0);
  });
});
