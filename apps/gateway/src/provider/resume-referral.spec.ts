import type { Referral } from '@passerelle/contracts';
import { problemOf, recordingEventSender } from '../../../../test/support/gateway-use-cases';
import type { ReferralReadModel } from '../ledger/referral-read-model';
import { ResumeReferral } from './resume-referral';

const REFERRAL_ID = '0b0e7c1e-3c55-4d3a-9d7e-5f1b2a3c4d5e';
const CLIENT_ID = '7f9c2ba4-e88f-4c3a-b1a2-3d4e5f6a7b8c';

function resume(status?: Referral['status']) {
  const ledger = {
    find: () => Promise.resolve(status && { referralId: REFERRAL_ID, clientId: CLIENT_ID, status }),
    appliedAt: () => Promise.resolve(undefined),
  };
  const { events, sent } = recordingEventSender();
  return { useCase: new ResumeReferral(ledger as unknown as ReferralReadModel, events), sent };
}

describe('ResumeReferral', () => {
  it('sends the resumption of a referral on hold to the tracker, without a reason', async () => {
    const { useCase, sent } = resume('on-hold');
    expect(await useCase.execute('eo:provider-7', REFERRAL_ID, 'key-1')).toMatchObject({ change: 'resume' });
    expect(sent[0]?.data).toMatchObject({ actor: 'provider', change: 'resume', requestedBy: 'eo:provider-7' });
    expect(sent[0]?.data).not.toHaveProperty('reason');
  });

  it('is 409 for a referral that is not on hold, and sends nothing', async () => {
    for (const status of ['accepted', 'in-progress', 'cancelled'] as const) {
      const { useCase, sent } = resume(status);
      expect((await problemOf(useCase.execute('eo:provider-7', REFERRAL_ID, 'k'))).status).toBe(409);
      expect(sent).toEqual([]);
    }
  });
});
