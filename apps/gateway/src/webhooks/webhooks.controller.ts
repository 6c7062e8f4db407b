import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, UseInterceptors } from '@nestjs/common';
import type { Principal } from '@passerelle/auth';
import { Access } from '../auth/access';
import { Caller } from '../auth/caller.decorator';
import type { IdempotentAnswer } from '../idempotency/idempotent-answer';
import { Idempotent } from '../idempotency/idempotent.decorator';
import { CanonicalIdPipe } from '../platform/canonical-id.pipe';
import { ValidBodyPipe } from '../platform/valid-body.pipe';
import { DeleteWebhook } from './delete-webhook';
import { DeliveryPageQueryPipe, ListWebhookDeliveries, type DeliveryPageQuery } from './list-webhook-deliveries';
import { ListWebhooks } from './list-webhooks';
import { ReadWebhook } from './read-webhook';
import { RegisterWebhook } from './register-webhook';
import { RevealWebhookSecret } from './reveal-webhook-secret.interceptor';
import { NO_SUCH_SUBSCRIPTION, WebhookErrorCode } from './webhook.error';
import type {
  WebhookDeliveryPage,
  WebhookSubscription,
  WebhookSubscriptionList,
  WebhookSubscriptionRequest,
} from './webhook-views';

const webhookId = new CanonicalIdPipe(WebhookErrorCode.NotFound, NO_SUCH_SUBSCRIPTION);
const subscriptionRequest = new ValidBodyPipe<WebhookSubscriptionRequest>(
  'api/webhook-subscription-request.json',
  'the webhook subscription is invalid',
);

/** Referrers' and providers' webhooks: register, list, read, delete, and the delivery log (each organization only its own). */
@Controller('webhooks')
export class WebhooksController {
  constructor(
    private readonly registerWebhook: RegisterWebhook,
    private readonly listWebhooks: ListWebhooks,
    private readonly readWebhook: ReadWebhook,
    private readonly deleteWebhook: DeleteWebhook,
    private readonly listWebhookDeliveries: ListWebhookDeliveries,
  ) {}

  /**
   * `201` with the subscription and its secret. The same `Idempotency-Key` and body replay that
   * answer, secret included while the subscription exists; another body is `422`.
   */
  @Post()
  // Decorators apply bottom-up: RevealWebhookSecret (listed first) wraps the idempotent answer.
  @Idempotent()
  @UseInterceptors(RevealWebhookSecret)
  @Access({ scopes: ['webhooks:write'], orgKinds: ['ow', 'odsp', 'eo'] })
  register(
    @Caller() caller: Principal,
    @Body(subscriptionRequest) body: WebhookSubscriptionRequest,
  ): Promise<IdempotentAnswer<WebhookSubscription>> {
    return this.registerWebhook.execute(caller.org, body);
  }

  @Get()
  @Access({ scopes: ['webhooks:read'], orgKinds: ['ow', 'odsp', 'eo'] })
  list(@Caller() caller: Principal): Promise<WebhookSubscriptionList> {
    return this.listWebhooks.execute(caller.org);
  }

  /** Another organization's subscription is `404`, like one that does not exist. */
  @Get(':webhookId')
  @Access({ scopes: ['webhooks:read'], orgKinds: ['ow', 'odsp', 'eo'] })
  read(@Caller() caller: Principal, @Param('webhookId', webhookId) id: string): Promise<WebhookSubscription> {
    return this.readWebhook.execute(caller.org, id);
  }

  @Delete(':webhookId')
  @HttpCode(204)
  @Access({ scopes: ['webhooks:write'], orgKinds: ['ow', 'odsp', 'eo'] })
  delete(@Caller() caller: Principal, @Param('webhookId', webhookId) id: string): Promise<void> {
    return this.deleteWebhook.execute(caller.org, id);
  }

  @Get(':webhookId/deliveries')
  @Access({ scopes: ['webhooks:read'], orgKinds: ['ow', 'odsp', 'eo'] })
  deliveries(
    @Caller() caller: Principal,
    @Param('webhookId', webhookId) id: string,
    @Query(DeliveryPageQueryPipe) query: DeliveryPageQuery,
  ): Promise<WebhookDeliveryPage> {
    return this.listWebhookDeliveries.execute(caller.org, id, query);
  }
}
