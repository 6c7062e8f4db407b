import type { Referral } from '@passerelle/contracts';
import { problemOf, recordingEventSender } from '../../../../test/support/gateway-use-cases';
import type { ReferralReadModel } from '../ledger/referral-read-model';
import { PutReferralOnHold } from './put-referral-on-hold';

const REFERRAL_ID = '0b0e7c1e-3c55-4d3a-9d7e-5f1b2a3c4d5e';
const CLIENT_ID = '7f9c2ba4-e88f-4c3a-b1a2-3d4e5f6a7b8c';

/** The use case over a ledger where the provider's referral is in `status` (none: not routed to it). */
function putOnHold(status?: Referral['status'], applied?: Date) {
  const ledger = {
    find: () => Promise.resolve(status && { referralId: REFERRAL_ID, clientId: CLIENT_ID, status }),
    appliedAt: () => Promise.resolve(applied),
  };
  const { events, sent } = recordingEventSender();
  return { useCase: new PutReferralOnHold(ledger as unknown as ReferralReadModel, events), sent };
}

describe('PutReferralOnHold', () => {
  it('sends the hold of an accepted referral, with its reason, to the tracker', async () => {
    const { useCase, sent } = putOnHold('accepted');
    expect(await useCase.execute('eo:provider-7', REFERRAL_ID, 'medical leave', 'key-1')).toMatchObject({
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
    const { useCase, sent } = putOnHold('on-hold', new Date('2026-12-01T15:00:00.000Z'));
    expect(await useCase.execute('eo:provider-7', REFERRAL_ID, 'medical leave', 'key-1')).toEqual({
      referralId: REFERRAL_ID,
      change: 'on-hold',
      requestedAt: '2026-12-01T15:00:00.000Z',
      eventId: 'event-1',
    });
    expect(sent).toEqual([]);
  });

  it('is 404 for a referral not routed to the caller, 409 for one not yet accepted', async () => {
    const stranger = putOnHold();
    expect(await problemOf(stranger.useCase.execute('eo:provider-7', REFERRAL_ID, 'x', 'k'))).toEqual({
      status: 404,
      detail: 'no such referral',
    });
    const requested = putOnHold('requested');
    expect((await problemOf(requested.useCase.execute('eo:provider-7', REFERRAL_ID, 'x', 'k'))).status).toBe(409);
    expect([...stranger.sent, ...requested.sent]).toHaveLength(0);
  });
});
