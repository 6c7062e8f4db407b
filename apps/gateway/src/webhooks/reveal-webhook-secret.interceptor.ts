import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { from, mergeMap, type Observable } from 'rxjs';
import { callerOf } from '../auth/caller.decorator';
import { WebhookSubscriptionRepository } from './webhook-subscription-repository';
import type { WebhookSubscription } from './webhook-views';

/**
 * The answer to `POST /v1/webhooks` (first or replayed) with the subscription's signing secret,
 * while the subscription exists: its caller may have lost the first answer. Wraps
 * `@Idempotent()`, so the kept answer holds no secret. A refusal passes through untouched.
 */
@Injectable()
export class RevealWebhookSecret implements NestInterceptor {
  constructor(private readonly repository: WebhookSubscriptionRepository) {}

  intercept(context: ExecutionContext, next: CallHandler<WebhookSubscription>): Observable<WebhookSubscription> {
    const org = callerOf(context.switchToHttp().getRequest()).org;
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    return next
      .handle()
      .pipe(
        mergeMap((subscription) =>
          from(reply.statusCode === 201 ? this.withSecret(org, subscription) : Promise.resolve(subscription)),
        ),
      );
  }

  private async withSecret(org: string, subscription: WebhookSubscription): Promise<WebhookSubscription> {
    const secret = await this.repository.secretOf(org, subscription.id);
    return secret === undefined ? subscription : { ...subscription, secret };
  }
}
