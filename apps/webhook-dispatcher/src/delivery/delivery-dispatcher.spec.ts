import { SecretSeal } from '@passerelle/crypto';
import { DeliveryDispatcher } from './delivery-dispatcher';
import type { ClaimedDelivery, DeliveryStore } from './delivery-store';
import { WebhookSender } from './webhook-sender';

/** A delivery whose subscription was deleted: the dispatcher cancels it without any POST. */
const orphan = (id: string): ClaimedDelivery => ({
  id,
  subscriptionId: 'sub-1',
  url: null,
  secret: null,
  attributes: { id: `ev-${id}`, type: 'ca.on.passerelle.referral.accepted', source: 'test' },
  body: '{}',
  attempt: 2,
  queuedAt: new Date(),
  leaseToken: 'lease',
});

describe('DeliveryDispatcher', () => {
  it('reports a delivery whose outcome could not be recorded and keeps dispatching the others', async () => {
    const cancelled: string[] = [];
    const store: Pick<DeliveryStore, 'claim' | 'record' | 'cancel'> = {
      claim: jest
        .fn()
        .mockResolvedValueOnce([orphan('d-1'), orphan('d-2')])
        .mockResolvedValue([]),
      record: jest.fn(),
      cancel: (delivery) => {
        if (delivery.id === 'd-1') return Promise.reject(new Error('connection terminated'));
        cancelled.push(delivery.id);
        return Promise.resolve();
      },
    };
    const unrecorded: Array<[string, string]> = [];
    const loopErrors: unknown[] = [];
    const dispatcher = new DeliveryDispatcher(store, new WebhookSender(1_000, 'loopback'), new SecretSeal(undefined), {
      concurrency: 4,
      pollMs: 5,
      leaseMs: 1_000,
      policy: { maxAttempts: 3, maxAgeMs: 60_000, baseMs: 10, maxDelayMs: 100 },
      onUnrecorded: (delivery, error) => unrecorded.push([delivery.id, String(error)]),
      onError: (error) => loopErrors.push(error),
    });
    dispatcher.start();
    try {
      while (unrecorded.length + cancelled.length < 2) await new Promise((done) => setTimeout(done, 5));
    } finally {
      await dispatcher.stop();
    }
    expect(unrecorded).toEqual([['d-1', 'Error: connection terminated']]);
    expect(cancelled).toEqual(['d-2']);
    // One delivery's failure is not the loop's: claiming went on working.
    expect(loopErrors).toEqual([]);
  });
});
