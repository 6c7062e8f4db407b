import { problemOf } from '../../../../test/support/gateway-use-cases';
import type { RecordedChange, ReferralTimelineReadModel } from '../ledger/referral-timeline-read-model';
import { ReadReferralHistory } from './read-referral-history';
import { ReadReferralOutcomes } from './read-referral-outcomes';
import type { ReferralSubmission, ReferralSubmissionRepository } from './referral-submission.repository';

const REFERRAL_ID = '0b0e7c1e-3c55-4d3a-9d7e-5f1b2a3c4d5e';

const pending: ReferralSubmission = { referralId: REFERRAL_ID, referrer: 'ow:toronto', sourceReferralId: 'R-1' };
const submission: RecordedChange = {
  fromStatus: null,
  toStatus: 'requested',
  businessStatus: 'created',
  actor: 'referrer',
  actorOrg: 'ow:toronto',
  reason: null,
  eventId: 'e-1',
  occurredAt: new Date('2025-09-15T18:22:05Z'),
  recordedAt: new Date('2025-09-15T18:22:06Z'),
};

/** Both use cases over a tracker holding `tracked` (undefined: not the caller's, or unknown) and the gateway's submissions. */
function useCases(tracked: RecordedChange[] | undefined, submission?: ReferralSubmission) {
  const timeline = {
    history: () => Promise.resolve(tracked),
    outcomes: () => Promise.resolve(tracked && []),
  } as unknown as ReferralTimelineReadModel;
  const submissions = {
    findOfReferrer: () => Promise.resolve(submission),
  } as unknown as ReferralSubmissionRepository;
  return {
    history: new ReadReferralHistory(timeline, submissions),
    outcomes: new ReadReferralOutcomes(timeline, submissions),
  };
}

describe('ReadReferralHistory and ReadReferralOutcomes', () => {
  it('read what the tracker recorded of the referrer’s referral', async () => {
    const { history, outcomes } = useCases([submission]);
    expect((await history.execute('ow:toronto', REFERRAL_ID, 'fr')).items[0].labels.toStatus).toBe('Demandé');
    expect(await outcomes.execute('ow:toronto', REFERRAL_ID, 'en')).toEqual({ referralId: REFERRAL_ID, items: [] });
  });

  it('show nothing yet for a submission the tracker has not recorded, rather than a 404', async () => {
    const { history, outcomes } = useCases(undefined, pending);
    expect(await history.execute('ow:toronto', REFERRAL_ID, 'en')).toEqual({ referralId: REFERRAL_ID, items: [] });
    expect(await outcomes.execute('ow:toronto', REFERRAL_ID, 'en')).toEqual({ referralId: REFERRAL_ID, items: [] });
  });

  it('answer 404 for a referral that is not the caller’s, as for one that does not exist', async () => {
    const { history, outcomes } = useCases(undefined);
    const notFound = { status: 404, detail: 'no such referral' };
    expect(await problemOf(history.execute('ow:toronto', REFERRAL_ID, 'en'))).toEqual(notFound);
    expect(await problemOf(outcomes.execute('ow:toronto', REFERRAL_ID, 'en'))).toEqual(notFound);
  });
});
