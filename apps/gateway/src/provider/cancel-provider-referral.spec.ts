import type { Referral } from '@passerelle/contracts';
import { problemOf, recordingEventSender } from '../../../../test/support/gateway-use-cases';
import type { ReferralReadModel } from '../ledger/referral-read-model';
import { CancelProviderReferral } from './cancel-provider-referral';

const REFERRAL_ID = '0b0e7c1e-3c55-4d3a-9d7e-5f1b2a3c4d5e';
const CLIENT_ID = '7f9c2ba4-e88f-4c3a-b1a2-3d4e5f6a7b8c';

function cancel(status?: Referral['status']) {
  const ledger = {
    find: () => Promise.resolve(status && { referralId: REFERRAL_ID, clientId: CLIENT_ID, status }),
    appliedAt: () => Promise.resolve(undefined),
  };
  const { events, sent } = recordingEventSender();
  return { useCase: new CancelProviderReferral(ledger as unknown as ReferralReadModel, events), sent };
}

describe('CancelProviderReferral', () => {
  it("sends the provider's cancellation of an open referral, with its reason, to the tracker", async () => {
    for (const status of ['requested', 'accepted', 'in-progress', 'on-hold'] as const) {
      const { useCase, sent } = cancel(status);
      expect(await useCase.execute('eo:provider-7', REFERRAL_ID, 'unreachable', 'key-1')).toMatchObject({
        change: 'cancel',
      });
      expect(sent[0]?.data).toMatchObject({ actor: 'provider', change: 'cancel', reason: 'unreachable' });
    }
  });

  it('is 409 for a referral already closed', async () => {
    const { useCase, sent } = cancel('completed');
    expect((await problemOf(useCase.execute('eo:provider-7', REFERRAL_ID, 'x', 'k'))).status).toBe(409);
    expect(sent).toEqual([]);
  });
});
