import type { Referral } from '@passerelle/contracts';
import { problemOf, recordingEventSender } from '../../../../test/support/gateway-use-cases';
import type { ReferralReadModel } from '../ledger/referral-read-model';
import { RecordNoShow } from './record-no-show';

const REFERRAL_ID = '0b0e7c1e-3c55-4d3a-9d7e-5f1b2a3c4d5e';
const CLIENT_ID = '7f9c2ba4-e88f-4c3a-b1a2-3d4e5f6a7b8c';

function noShow(status?: Referral['status']) {
  const ledger = {
    find: () => Promise.resolve(status && { referralId: REFERRAL_ID, clientId: CLIENT_ID, status }),
    appliedAt: () => Promise.resolve(undefined),
  };
  const { events, sent } = recordingEventSender();
  return { useCase: new RecordNoShow(ledger as unknown as ReferralReadModel, events), sent };
}

describe('RecordNoShow', () => {
  it('sends a no-show on a referral the provider took on and that is still open', async () => {
    for (const status of ['accepted', 'in-progress', 'on-hold'] as const) {
      const { useCase, sent } = noShow(status);
      expect(await useCase.execute('eo:provider-7', REFERRAL_ID, 'key-1')).toMatchObject({ change: 'no-show' });
      expect(sent[0]?.data).toMatchObject({ actor: 'provider', change: 'no-show' });
    }
  });

  it('is 409 on a referral not taken on, or closed', async () => {
    for (const status of ['requested', 'completed', 'cancelled'] as const) {
      const { useCase, sent } = noShow(status);
      expect(await problemOf(useCase.execute('eo:provider-7', REFERRAL_ID, 'k'))).toEqual({
        status: 409,
        detail: `A no-show cannot be recorded on a referral that is ${status}.`,
      });
      expect(sent).toEqual([]);
    }
  });
});
