import { HttpException } from '@nestjs/common';
import { DeliveryPageQueryPipe, ListWebhookDeliveries } from './list-webhook-deliveries';
import type { AttemptRow, DeliveryRow, WebhookSubscriptionRepository } from './webhook-subscription-repository';

const pipe = new DeliveryPageQueryPipe();

function refusal(run: () => unknown): { status: number; body: unknown } {
  try {
    run();
  } catch (error) {
    if (error instanceof HttpException) return { status: error.getStatus(), body: error.getResponse() };
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('DeliveryPageQueryPipe', () => {
  it('gives pages of 20 by default and takes a limit and a cursor', () => {
    expect(pipe.transform({})).toEqual({ limit: 20 });
    expect(pipe.transform({ limit: '100', cursor: '42' })).toEqual({ limit: 100, cursor: '42' });
  });

  it('refuses a limit outside 1 to 100 and a cursor this API did not give, naming both', () => {
    expect(refusal(() => pipe.transform({ limit: '0', cursor: 'abc' }))).toMatchObject({
      status: 400,
      body: {
        detail: 'invalid query parameters',
        errors: [
          { pointer: '/limit', code: 'maximum' },
          { pointer: '/cursor', code: 'format' },
        ],
      },
    });
  });
});

describe('ListWebhookDeliveries', () => {
  const delivery = (seq: number): DeliveryRow => ({
    id: `d${seq}`,
    seq: String(seq),
    eventId: `e${seq}`,
    eventType: 'ca.on.passerelle.notification.referral-status-changed',
    body: JSON.stringify({ notificationId: `n${seq}`, referralId: 'r1', change: 'accepted' }),
    state: 'delivered',
    createdAt: new Date('2026-01-05T14:00:00Z'),
    nextAttemptAt: null,
    completedAt: new Date('2026-01-05T14:00:01Z'),
  });
  const attempt = (deliveryId: string, n: number): AttemptRow => ({
    deliveryId,
    attempt: n,
    attemptedAt: new Date('2026-01-05T14:00:01Z'),
    durationMs: 12,
    statusCode: 200,
    error: null,
    outcome: 'delivered',
    nextAttemptAt: null,
  });

  function useCase(live: boolean, rows: DeliveryRow[], attempts: AttemptRow[]) {
    const asked: unknown[] = [];
    const repository = {
      findLive: (_org: string, id: string) =>
        Promise.resolve(
          live ? { id, url: 'https://x.example', changes: null, description: null, createdAt: new Date() } : undefined,
        ),
      deliveries: (id: string, limit: number, before?: string) => {
        asked.push({ id, limit, before });
        return Promise.resolve({ deliveries: rows.slice(0, limit), attempts });
      },
    } as unknown as WebhookSubscriptionRepository;
    return { listDeliveries: new ListWebhookDeliveries(repository), asked };
  }

  it('reads one delivery more than the page to know whether a next page exists, and groups attempts', async () => {
    const { listDeliveries, asked } = useCase(
      true,
      [delivery(9), delivery(8), delivery(7)],
      [attempt('d9', 1), attempt('d9', 2), attempt('d8', 1)],
    );
    const page = await listDeliveries.execute('ow:toronto', 's1', { limit: 2, cursor: '10' });
    expect(asked).toEqual([{ id: 's1', limit: 3, before: '10' }]);
    expect(page.next).toBe('8');
    expect(page.items.map((d) => [d.deliveryId, d.notificationId, d.attempts.length])).toEqual([
      ['d9', 'n9', 2],
      ['d8', 'n8', 1],
    ]);
  });

  it('shows a notification of any type: its event type, and a referral only when it names one', async () => {
    const followUp: DeliveryRow = {
      ...delivery(3),
      eventType: 'ca.on.passerelle.notification.follow-up-due',
      body: JSON.stringify({ notificationId: 'n3', change: 'follow-up-due', dueOn: '2026-04-06' }),
    };
    const page = await useCase(true, [followUp], []).listDeliveries.execute('eo:provider-7', 's1', { limit: 2 });
    expect(page.items[0]).toMatchObject({
      eventType: 'ca.on.passerelle.notification.follow-up-due',
      notificationId: 'n3',
      change: 'follow-up-due',
    });
    expect(page.items[0]).not.toHaveProperty('referralId');
    const referral = await useCase(true, [delivery(4)], []).listDeliveries.execute('ow:toronto', 's1', { limit: 2 });
    expect(referral.items[0]).toMatchObject({ referralId: 'r1', change: 'accepted' });
  });

  it('gives no next cursor on the last page, and 404 for a subscription the organization does not hold', async () => {
    expect(
      (await useCase(true, [delivery(1)], []).listDeliveries.execute('ow:toronto', 's1', { limit: 2 })).next,
    ).toBeUndefined();
    await expect(useCase(false, [], []).listDeliveries.execute('ow:toronto', 's1', { limit: 2 })).rejects.toMatchObject(
      {
        status: 404,
      },
    );
  });
});
