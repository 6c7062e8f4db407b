import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Inject,
  Param,
  Post,
  Query,
  Req,
  Res,
  type HttpException,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SecretSeal } from '@passerelle/crypto';
import { IdempotencyStore, type DatabaseHandle } from '@passerelle/persistence';
import { Access } from '../auth/access';
import { principalOf } from '../auth/auth.guard';
import type { GatewayConfig } from '../gateway.config';
import { idempotentPost } from '../idempotency/idempotent-post';
import { problem } from '../problem/problem';
import { DATABASE, GATEWAY_CONFIG } from '../tokens';
import { WebhookError, WebhookErrorCode } from './webhook.error';
import { WebhookSubscriptionRepository } from './webhook-subscription-repository';
import {
  WebhookSubscriptions,
  type DeliveryPageParams,
  type WebhookDeliveryPage,
  type WebhookSubscription,
  type WebhookSubscriptionList,
} from './webhook-subscriptions';

/** The problem response of each refusal. */
const STATUS: Record<WebhookErrorCode, number> = {
  [WebhookErrorCode.InvalidSubscription]: 400,
  [WebhookErrorCode.InvalidQuery]: 400,
  [WebhookErrorCode.NotFound]: 404,
  [WebhookErrorCode.LimitReached]: 409,
};

/** Referrers' status webhooks: register, list, read, delete, and the delivery log. */
@Controller('webhooks')
export class WebhooksController {
  private readonly subscriptions: WebhookSubscriptions;
  private readonly idempotency: IdempotencyStore;

  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig, @Inject(DATABASE) database: DatabaseHandle) {
    this.subscriptions = new WebhookSubscriptions(
      new WebhookSubscriptionRepository(
        database,
        new SecretSeal(config.webhookSecretKey, config.webhookSecretPreviousKeys),
      ),
      config.webhookHttpUrls,
      config.webhookAddresses,
    );
    this.idempotency = new IdempotencyStore(database.db);
  }

  /**
   * `201` with the subscription and its secret. The same `Idempotency-Key` and body replay that
   * answer, secret included while the subscription exists (its caller may have lost the first);
   * another body is `422`. The kept answer holds no secret: it is read from the subscription.
   */
  @Post()
  @Access({ scopes: ['webhooks:write'], orgKinds: ['ow', 'odsp'] })
  async register(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Body() body: unknown,
    @Headers('idempotency-key') key: string | undefined,
  ): Promise<unknown> {
    const org = principalOf(request).org;
    const answered = await idempotentPost(this.idempotency, org, key, { webhooks: body }, reply, async () => {
      const created = await answer(() => this.subscriptions.register(org, body));
      return { status: 201, body: created, headers: { location: `/v1/webhooks/${created.id}` } };
    });
    return reply.statusCode === 201 ? this.subscriptions.withSecret(org, answered as WebhookSubscription) : answered;
  }

  @Get()
  @Access({ scopes: ['webhooks:read'], orgKinds: ['ow', 'odsp'] })
  list(@Req() request: FastifyRequest): Promise<WebhookSubscriptionList> {
    return answer(() => this.subscriptions.list(principalOf(request).org));
  }

  /** Another organization's subscription is `404`, like one that does not exist. */
  @Get(':webhookId')
  @Access({ scopes: ['webhooks:read'], orgKinds: ['ow', 'odsp'] })
  read(@Req() request: FastifyRequest, @Param('webhookId') id: string): Promise<WebhookSubscription> {
    return answer(() => this.subscriptions.read(principalOf(request).org, id));
  }

  @Delete(':webhookId')
  @HttpCode(204)
  @Access({ scopes: ['webhooks:write'], orgKinds: ['ow', 'odsp'] })
  async delete(@Req() request: FastifyRequest, @Param('webhookId') id: string): Promise<void> {
    await answer(() => this.subscriptions.delete(principalOf(request).org, id));
  }

  @Get(':webhookId/deliveries')
  @Access({ scopes: ['webhooks:read'], orgKinds: ['ow', 'odsp'] })
  deliveries(
    @Req() request: FastifyRequest,
    @Param('webhookId') id: string,
    @Query() query: DeliveryPageParams,
  ): Promise<WebhookDeliveryPage> {
    return answer(() => this.subscriptions.deliveries(principalOf(request).org, id, query));
  }
}

/** Runs a use case; its refusals become problem responses (anything else stays a 5xx). */
async function answer<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof WebhookError) throw asProblem(error);
    throw error;
  }
}

function asProblem(error: WebhookError): HttpException {
  return problem(STATUS[error.code], error.message, { errors: error.errors });
}
