import type { Referral } from '@passerelle/contracts';
import { problemOf, recordingEventSender } from '../../../../test/support/gateway-use-cases';
import type { ReferralReadModel } from '../ledger/referral-read-model';
import { MarkEnteredInError } from './mark-entered-in-error';
import type { ReferralSubmissionRepository } from './referral-submission.repository';

const REFERRAL_ID = '0b0e7c1e-3c55-4d3a-9d7e-5f1b2a3c4d5e';
const CLIENT_ID = '7f9c2ba4-e88f-4c3a-b1a2-3d4e5f6a7b8c';

/** The use case over a ledger holding the referrer's referral in `status` (none: not tracked), `pending` when only submitted. */
function markEnteredInError(status?: Referral['status'], pending = false) {
  const ledger = {
    find: () => Promise.resolve(status && { referralId: REFERRAL_ID, clientId: CLIENT_ID, status }),
    appliedAt: () => Promise.resolve(undefined),
  };
  const submissions = { findOfReferrer: () => Promise.resolve(pending ? { referralId: REFERRAL_ID } : undefined) };
  const { events, sent } = recordingEventSender();
  const useCase = new MarkEnteredInError(
    ledger as unknown as ReferralReadModel,
    submissions as unknown as ReferralSubmissionRepository,
    events,
  );
  return { useCase, sent };
}

describe('MarkEnteredInError', () => {
  it("sends the referrer's voiding of an open referral to the tracker", async () => {
    const { useCase, sent } = markEnteredInError('in-progress');
    expect(await useCase.execute('ow:toronto', REFERRAL_ID, 'key-1')).toMatchObject({ change: 'entered-in-error' });
    expect(sent[0]).toMatchObject({
      type: 'ca.on.passerelle.referral.status-change-requested',
      route: '/v1/referrals',
      data: { requestedBy: 'ow:toronto', actor: 'referrer', change: 'entered-in-error' },
    });
  });

  it('is 409 for a closed referral, 409 for one not tracked yet, 404 for an unknown one', async () => {
    const closed = markEnteredInError('cancelled');
    expect((await problemOf(closed.useCase.execute('ow:toronto', REFERRAL_ID, 'k'))).status).toBe(409);
    const pending = markEnteredInError(undefined, true);
    expect(await problemOf(pending.useCase.execute('ow:toronto', REFERRAL_ID, 'k'))).toEqual({
      status: 409,
      detail: 'the referral is not recorded by the tracker yet; retry in a moment',
    });
    const unknown = markEnteredInError();
    expect((await problemOf(unknown.useCase.execute('ow:toronto', REFERRAL_ID, 'k'))).status).toBe(404);
    expect([...closed.sent, ...pending.sent, ...unknown.sent]).toHaveLength(0);
  });
});
