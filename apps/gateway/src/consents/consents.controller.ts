import { Body, Controller, Headers, Inject, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { EventPublisher, TopicNames } from '@passerelle/messaging';
import { IdempotencyStore, type DatabaseHandle } from '@passerelle/persistence';
import { ApiEventSender, UUID } from '../api-events';
import { Access } from '../auth/access';
import { principalOf } from '../auth/auth.guard';
import type { GatewayConfig } from '../gateway.config';
import { idempotentPost } from '../idempotency/idempotent-post';
import { problem, refusal, validBody } from '../problem/problem';
import { DATABASE, GATEWAY_CONFIG } from '../tokens';
import { WithdrawConsent } from './withdraw-consent';

/** Referrers record a client's consent withdrawal. */
@Controller('clients')
export class ConsentsController {
  private readonly withdrawals: WithdrawConsent;
  private readonly idempotency: IdempotencyStore;

  constructor(
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
    publisher: EventPublisher,
    @Inject(DATABASE) database: DatabaseHandle,
  ) {
    this.withdrawals = new WithdrawConsent(
      database,
      new ApiEventSender(publisher, new TopicNames(config.topicPrefix).of('referrals.v1')),
    );
    this.idempotency = new IdempotencyStore(database.db);
  }

  @Post(':clientId/consent/withdraw')
  @Access({ scopes: ['consent:write'], orgKinds: ['ow', 'odsp'] })
  withdraw(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Param('clientId') clientId: string,
    @Body() body: unknown,
    @Headers('idempotency-key') key: string | undefined,
  ): Promise<unknown> {
    const org = principalOf(request).org;
    return idempotentPost(this.idempotency, org, key, { clientId, body }, reply, async () => {
      const { consentId } = validBody<{ consentId: string }>(
        'api/consent-withdrawal.json',
        body,
        'name the consent withdrawn',
      );
      if (!UUID.test(clientId)) throw problem(404, 'no such consent for this client');
      const result = await this.withdrawals.withdraw(org, clientId.toLowerCase(), consentId.toLowerCase(), key!);
      if (!result.ok) throw refusal(result);
      return { status: 202, body: result.withdrawn };
    });
  }
}
