import { Body, Controller, Get, Headers, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { codeTable } from '@passerelle/codes';
import { schemaIdForPath, schemaRegistry, type components } from '@passerelle/contracts';
import { EventPublisher, TopicNames } from '@passerelle/messaging';
import { IdempotencyStore, type DatabaseHandle } from '@passerelle/persistence';
import { Access } from '../auth/access';
import { principalOf } from '../auth/auth.guard';
import type { GatewayConfig } from '../gateway.config';
import { idempotentPost, problem } from '../idempotency/idempotent-post';
import { DATABASE, GATEWAY_CONFIG } from '../tokens';
import { ProviderReferrals, type DecisionResult, type ProviderReferralPage } from './provider-referrals';

type ProviderDecline = components['schemas']['ProviderDecline'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const STATUSES = new Set(codeTable('referral-statuses').codes);

/** EO providers: the inbox of referrals routed to them, and their answer to each. */
@Controller('provider/referrals')
export class ProviderReferralsController {
  private readonly referrals: ProviderReferrals;
  private readonly idempotency: IdempotencyStore;

  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig, publisher: EventPublisher, @Inject(DATABASE) database: DatabaseHandle) {
    this.referrals = new ProviderReferrals(database, publisher, new TopicNames(config.topicPrefix).of('referrals.v1'));
    this.idempotency = new IdempotencyStore(database.db);
  }

  @Get()
  @Access({ scopes: ['provider:read'], orgKinds: ['eo'] })
  async inbox(
    @Req() request: FastifyRequest,
    @Query('status') status?: string,
    @Query('updatedSince') updatedSince?: string,
    @Query('cursor') cursor?: string,
    @Query('limit') limit?: string,
  ): Promise<ProviderReferralPage> {
    const errors = [
      ...(status !== undefined && !STATUSES.has(status) ? [{ pointer: '/status', code: 'enum', message: `must be one of ${[...STATUSES].join(', ')}` }] : []),
      ...(updatedSince !== undefined && Number.isNaN(Date.parse(updatedSince)) ? [{ pointer: '/updatedSince', code: 'format', message: 'must be a date-time' }] : []),
      ...(limit !== undefined && !/^([1-9]\d?|1\d\d|200)$/.test(limit) ? [{ pointer: '/limit', code: 'maximum', message: 'must be an integer from 1 to 200' }] : []),
    ];
    if (errors.length > 0) throw problem(400, 'Bad request', 'invalid query parameters', errors);
    try {
      return await this.referrals.inbox(principalOf(request).org, {
        ...(status !== undefined && { status }),
        ...(updatedSince !== undefined && { updatedSince: new Date(updatedSince).toISOString() }),
        ...(cursor !== undefined && { cursor }),
        limit: limit === undefined ? 50 : Number(limit),
      });
    } catch (error) {
      if ((error as Error).message === 'cursor') throw problem(400, 'Bad request', 'invalid cursor', [{ pointer: '/cursor', code: 'format', message: 'is not a cursor this API gave' }]);
      throw error;
    }
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
