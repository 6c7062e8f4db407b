import type { CallHandler, ExecutionContext } from '@nestjs/common';
import { lastValueFrom, of } from 'rxjs';
import { RevealWebhookSecret } from './reveal-webhook-secret.interceptor';
import type { WebhookSubscriptionRepository } from './webhook-subscription-repository';
import type { WebhookSubscription } from './webhook-views';

const subscription: WebhookSubscription = {
  id: '6f1c0c8e-2b7a-4c39-9d55-0f4c1b1e2a10',
  url: 'https://hooks.example.ca/passerelle',
  createdAt: '2026-01-05T14:00:00.000Z',
};

/** The answer the interceptor gives when the handler (or the replayed answer) had `status`. */
function answer(status: number, secrets: Record<string, string>): Promise<WebhookSubscription> {
  const repository = {
    secretOf: (org: string, id: string) => Promise.resolve(org === 'ow:toronto' ? secrets[id] : undefined),
  } as unknown as WebhookSubscriptionRepository;
  const context = {
    switchToHttp: () => ({
      getRequest: () => ({ principal: { org: 'ow:toronto' } }),
      getResponse: () => ({ statusCode: status }),
    }),
  } as unknown as ExecutionContext;
  const next: CallHandler<WebhookSubscription> = { handle: () => of(subscription) };
  return lastValueFrom(new RevealWebhookSecret(repository).intercept(context, next));
}

describe('RevealWebhookSecret', () => {
  it("adds the caller's stored secret to a 201 answer, first or replayed", async () => {
    await expect(answer(201, { [subscription.id]: 'whsec_abc' })).resolves.toEqual({
      ...subscription,
      secret: 'whsec_abc',
    });
  });

  it('leaves the answer without a secret once the subscription is gone (its secret erased)', async () => {
    await expect(answer(201, {})).resolves.toEqual(subscription);
  });

  it('adds nothing to an answer that is not a 201', async () => {
    await expect(answer(200, { [subscription.id]: 'whsec_abc' })).resolves.toEqual(subscription);
  });
});
