import type { Referral } from '@passerelle/contracts';
import { problemOf, recordingEventSender } from '../../../../test/support/gateway-use-cases';
import type { ReferralReadModel } from '../ledger/referral-read-model';
import { RespondToReferral } from './respond-to-referral';

const REFERRAL_ID = '0b0e7c1e-3c55-4d3a-9d7e-5f1b2a3c4d5e';
const CLIENT_ID = '7f9c2ba4-e88f-4c3a-b1a2-3d4e5f6a7b8c';

/**
 * The use case over a ledger where the provider has the referral routed to it in `status` (none:
 * not routed), and where the change event `event-1` was applied at `applied` (none: not applied).
 */
function respondToReferral(status?: Referral['status'], applied?: Date) {
  const ledger = {
    find: () => Promise.resolve(status && { referralId: REFERRAL_ID, clientId: CLIENT_ID, status }),
    appliedAt: (_referralId: string, eventId: string) => Promise.resolve(eventId === 'event-1' ? applied : undefined),
  };
  const { events, sent } = recordingEventSender();
  const useCase = new RespondToReferral(ledger as unknown as ReferralReadModel, events);
  return { useCase, sent };
}

describe('RespondToReferral', () => {
  it("sends a provider's acceptance of a routed referral to the tracker", async () => {
    const { useCase, sent } = respondToReferral('requested');
    expect(await useCase.execute('eo:provider-7', REFERRAL_ID, { decision: 'accept' }, 'key-1')).toMatchObject({
      referralId: REFERRAL_ID,
      decision: 'accept',
      eventId: 'event-1',
    });
    expect(sent[0]).toMatchObject({
      type: 'ca.on.passerelle.referral.response-recorded',
      requestKey: 'key-1',
      data: { referralId: REFERRAL_ID, clientId: CLIENT_ID, provider: 'eo:provider-7', decision: 'accept' },
    });
  });

  it('answers a retry whose acceptance the tracker already applied as the first try, sending nothing', async () => {
    // The first try's event reached Kafka but its answer was not stored (503): the referral is accepted now.
    const { useCase, sent } = respondToReferral('accepted', new Date('2026-12-01T15:00:00.000Z'));
    expect(await useCase.execute('eo:provider-7', REFERRAL_ID, { decision: 'accept' }, 'key-1')).toEqual({
      referralId: REFERRAL_ID,
      decision: 'accept',
      decidedAt: '2026-12-01T15:00:00.000Z',
      eventId: 'event-1',
    });
    expect(sent).toEqual([]);
  });

  it('sends a decline with its coded reason and note', async () => {
    const { useCase, sent } = respondToReferral('requested');
    const decline = { decision: 'decline', declineReason: 'no-capacity', note: 'full until May' } as const;
    await useCase.execute('eo:provider-7', REFERRAL_ID, decline, 'key-2');
    expect(sent[0]?.data).toMatchObject({ decision: 'decline', declineReason: 'no-capacity', note: 'full until May' });
  });

  it('is 404 for a referral not routed to the caller, 409 for an answer its status does not allow', async () => {
    const stranger = respondToReferral();
    expect(
      await problemOf(stranger.useCase.execute('eo:provider-7', REFERRAL_ID, { decision: 'accept' }, 'k')),
    ).toEqual({
      status: 404,
      detail: 'no such referral',
    });
    const done = respondToReferral('completed');
    expect(
      (await problemOf(done.useCase.execute('eo:provider-7', REFERRAL_ID, { decision: 'accept' }, 'k'))).status,
    ).toBe(409);
    expect([...stranger.sent, ...done.sent]).toHaveLength(0);
  });
});
