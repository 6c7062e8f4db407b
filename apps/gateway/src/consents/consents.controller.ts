import { Body, Controller, Headers, Inject, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { schemaIdForPath, schemaRegistry } from '@passerelle/contracts';
import { EventPublisher, TopicNames } from '@passerelle/messaging';
import { IdempotencyStore, type DatabaseHandle } from '@passerelle/persistence';
import { ApiEventSender, UUID } from '../api-events';
import { Access } from '../auth/access';
import { principalOf } from '../auth/auth.guard';
import type { GatewayConfig } from '../gateway.config';
import { idempotentPost, problem } from '../idempotency/idempotent-post';
import { DATABASE, GATEWAY_CONFIG } from '../tokens';
import { WithdrawConsent } from './withdraw-consent';


/** Referrers record a client's consent withdrawal. */
@Controller('clients')
export class ConsentsController {
  private readonly withdrawals: WithdrawConsent;
  private readonly idempotency: IdempotencyStore;

  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig, publisher: EventPublisher, @Inject(DATABASE) database: DatabaseHandle) {
    this.withdrawals = new WithdrawConsent(database, new ApiEventSender(publisher, new TopicNames(config.topicPrefix).of('referrals.v1')));
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
      const valid = schemaRegistry().validate<{ consentId: string }>(schemaIdForPath('api/consent-withdrawal.json'), body);
      if (!valid.ok) throw problem(400, 'Bad request', 'name the consent withdrawn', valid.errors);
      if (!UUID.test(clientId)) throw problem(404, 'Not found', 'no such consent for this client');
      const result = await this.withdrawals.withdraw(org, clientId.toLowerCase(), valid.value.consentId.toLowerCase(), key!);
      if (!result.ok) throw problem(result.status, result.status === 404 ? 'Not found' : 'Conflict', result.detail);
      return { status: 202, body: result.withdrawn };
    });
  }
}
