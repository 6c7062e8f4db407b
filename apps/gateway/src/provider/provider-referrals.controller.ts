import { Body, Controller, Get, Headers, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { components } from '@passerelle/contracts';
import { EventPublisher, TopicNames } from '@passerelle/messaging';
import { IdempotencyStore, type DatabaseHandle } from '@passerelle/persistence';
import { ApiEventSender, UUID } from '../api-events';
import { Access } from '../auth/access';
import { principalOf } from '../auth/auth.guard';
import type { GatewayConfig } from '../gateway.config';
import { idempotentPost } from '../idempotency/idempotent-post';
import { problem, refusal, validBody } from '../problem/problem';
import { referralPageQuery, type ReferralListParams } from '../paging/referral-pages';
import { DATABASE, GATEWAY_CONFIG } from '../tokens';
import { ProviderReferrals, type DecisionResult, type ProviderReferralPage } from './provider-referrals';

type ProviderDecline = components['schemas']['ProviderDecline'];

/** EO providers: the inbox of referrals routed to them, and their answer to each. */
@Controller('provider/referrals')
export class ProviderReferralsController {
  private readonly referrals: ProviderReferrals;
  private readonly idempotency: IdempotencyStore;

  constructor(
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
    publisher: EventPublisher,
    @Inject(DATABASE) database: DatabaseHandle,
  ) {
    this.referrals = new ProviderReferrals(
      database,
      new ApiEventSender(publisher, new TopicNames(config.topicPrefix).of('referrals.v1')),
    );
    this.idempotency = new IdempotencyStore(database.db);
  }

  @Get()
  @Access({ scopes: ['provider:read'], orgKinds: ['eo'] })
  async inbox(@Req() request: FastifyRequest, @Query() query: ReferralListParams): Promise<ProviderReferralPage> {
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
      answerOf(
        UUID.test(referralId)
          ? await this.referrals.decide(org, referralId.toLowerCase(), { decision: 'accept' }, key!)
          : undefined,
      ),
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
      const { declineReason, note } = validBody<ProviderDecline>(
        'api/provider-decline.json',
        body,
        'a decline needs its coded reason',
      );
      const decision = { decision: 'decline' as const, declineReason, ...(note !== undefined && { note }) };
      return answerOf(
        UUID.test(referralId) ? await this.referrals.decide(org, referralId.toLowerCase(), decision, key!) : undefined,
      );
    });
  }
}

function answerOf(result: DecisionResult | undefined): { status: number; body: unknown } {
  if (result === undefined) throw problem(404, 'no such referral');
  if (!result.ok) throw refusal(result);
  return { status: 202, body: result.decision };
}
