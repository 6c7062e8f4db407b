import { Body, Controller, Get, Headers, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { schemaIdForPath, schemaRegistry, type components } from '@passerelle/contracts';
import { EventPublisher, TopicNames } from '@passerelle/messaging';
import { IdempotencyStore, type DatabaseHandle } from '@passerelle/persistence';
import { ApiEventSender, UUID } from '../api-events';
import { Access } from '../auth/access';
import { principalOf } from '../auth/auth.guard';
import type { GatewayConfig } from '../gateway.config';
import { idempotentPost, problem } from '../idempotency/idempotent-post';
import { referralPageQuery, type ReferralListParams } from '../paging/referral-pages';
import { DATABASE, GATEWAY_CONFIG } from '../tokens';
import { ProviderReferrals, type DecisionResult, type ProviderReferralPage } from './provider-referrals';

type ProviderDecline = components['schemas']['ProviderDecline'];

/** EO providers: the inbox of referrals routed to them, and their answer to each. */
@Controller('provider/referrals')
export class ProviderReferralsController {
  private readonly referrals: ProviderReferrals;
  private readonly idempotency: IdempotencyStore;

  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig, publisher: EventPublisher, @Inject(DATABASE) database: DatabaseHandle) {
    this.referrals = new ProviderReferrals(database, new ApiEventSender(publisher, new TopicNames(config.topicPrefix).of('referrals.v1')));
    this.idempotency = new IdempotencyStore(database.db);
  }

  @Get()
  @Access({ scopes: ['provider:read'], orgKinds: ['eo'] })
  async inbox(
    @Req() request: FastifyRequest,
    @Query() query: ReferralListParams,
  ): Promise<ProviderReferralPage> {
    const caller = principalOf(request);
    return this.referrals.inbox(caller.org, caller.subject, referralPageQuery(query));
  }

  @Post(':referralId/accept')
  @Access({ scopes: ['provider:write'], orgKinds: ['eo'] })
  accept(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Param('referralId') referralId: string,
    @Headers('idempotency-key') key: string | undefined,
  ): Promise<unknown> {
    const org = principalOf(request).org;
    return idempotentPost(this.idempotency, org, key, { referralId, decision: 'accept' }, reply, async () =>
      answerOf(UUID.test(referralId) ? await this.referrals.decide(org, referralId.toLowerCase(), { decision: 'accept' }, key!) : undefined),
    );
  }

  @Post(':referralId/decline')
  @Access({ scopes: ['provider:write'], orgKinds: ['eo'] })
  decline(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Param('referralId') referralId: string,
    @Body() body: unknown,
    @Headers('idempotency-key') key: string | undefined,
  ): Promise<unknown> {
    const org = principalOf(request).org;
    return idempotentPost(this.idempotency, org, key, { referralId, body }, reply, async () => {
      const valid = schemaRegistry().validate<ProviderDecline>(schemaIdForPath('api/provider-decline.json'), body);
      if (!valid.ok) throw problem(400, 'Bad request', 'a decline needs its coded reason', valid.errors);
      const decision = { decision: 'decline' as const, declineReason: valid.value.declineReason, ...(valid.value.note !== undefined && { note: valid.value.note }) };
      return answerOf(UUID.test(referralId) ? await this.referrals.decide(org, referralId.toLowerCase(), decision, key!) : undefined);
    });
  }
}

function answerOf(result: DecisionResult | undefined): { status: number; body: unknown } {
  if (result === undefined) throw problem(404, 'Not found', 'no such referral');
  if (!result.ok) throw problem(result.status, result.status === 404 ? 'Not found' : 'Conflict', result.detail);
  return { status: 202, body: result.decision };
}
