import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import type { Principal } from '@passerelle/auth';
import { Access } from '../auth/access';
import { Caller } from '../auth/caller.decorator';
import { IdempotencyKey } from '../idempotency/idempotency-key.decorator';
import { Idempotent } from '../idempotency/idempotent.decorator';
import { ReferralPageQueryPipe, type ReferralPageQuery } from '../paging/referral-pages';
import { CanonicalIdPipe } from '../platform/canonical-id.pipe';
import { ValidBodyPipe } from '../platform/valid-body.pipe';
import { ReadProviderInbox, type ProviderReferralPage } from './read-provider-inbox';
import { RespondToReferral, type ProviderDecision, type ProviderDecline } from './respond-to-referral';
import type { ReferralChangeRequested } from '../referrals/cancel-referral';
import { ReferralErrorCode } from '../referrals/referral.error';
import { RequestStatusChange } from '../referrals/request-status-change';

const referralId = new CanonicalIdPipe(ReferralErrorCode.NotFound, 'no such referral');

/** EO providers: the inbox of referrals routed to them, and their answer to each. */
@Controller('provider/referrals')
export class ProviderReferralsController {
  constructor(
    private readonly readInbox: ReadProviderInbox,
    private readonly respond: RespondToReferral,
    private readonly statusChanges: RequestStatusChange,
  ) {}

  @Get()
  @Access({ scopes: ['provider:read'], orgKinds: ['eo'] })
  inbox(
    @Caller() caller: Principal,
    @Query(ReferralPageQueryPipe) query: ReferralPageQuery,
  ): Promise<ProviderReferralPage> {
    return this.readInbox.execute(caller, query);
  }

  @Post(':referralId/accept')
  @HttpCode(202)
  @Idempotent()
  @Access({ scopes: ['provider:write'], orgKinds: ['eo'] })
  accept(
    @Caller() caller: Principal,
    @Param('referralId', referralId) id: string,
    @IdempotencyKey() key: string,
  ): Promise<ProviderDecision> {
    return this.respond.execute(caller.org, id, { decision: 'accept' }, key);
  }

  @Post(':referralId/decline')
  @HttpCode(202)
  @Idempotent()
  @Access({ scopes: ['provider:write'], orgKinds: ['eo'] })
  decline(
    @Caller() caller: Principal,
    @Param('referralId', referralId) id: string,
    @Body(new ValidBodyPipe('api/provider-decline.json', 'a decline needs its coded reason')) body: ProviderDecline,
    @IdempotencyKey() key: string,
  ): Promise<ProviderDecision> {
    return this.respond.execute(caller.org, id, { decision: 'decline', ...body }, key);
  }

  @Post(':referralId/on-hold')
  @HttpCode(202)
  @Idempotent()
  @Access({ scopes: ['provider:write'], orgKinds: ['eo'] })
  onHold(
    @Caller() caller: Principal,
    @Param('referralId', referralId) id: string,
    @Body(new ValidBodyPipe('api/referral-change-reason.json', 'putting a referral on hold needs its reason'))
    body: { reason: string },
    @IdempotencyKey() key: string,
  ): Promise<ReferralChangeRequested> {
    const ask = { org: caller.org, referralId: id, requestKey: key };
    return this.statusChanges.execute({ ...ask, actor: 'provider', change: 'on-hold', reason: body.reason });
  }

  @Post(':referralId/resume')
  @HttpCode(202)
  @Idempotent()
  @Access({ scopes: ['provider:write'], orgKinds: ['eo'] })
  resume(
    @Caller() caller: Principal,
    @Param('referralId', referralId) id: string,
    @IdempotencyKey() key: string,
  ): Promise<ReferralChangeRequested> {
    return this.statusChanges.execute({
      org: caller.org,
      actor: 'provider',
      referralId: id,
      change: 'resume',
      requestKey: key,
    });
  }

  @Post(':referralId/cancel')
  @HttpCode(202)
  @Idempotent()
  @Access({ scopes: ['provider:write'], orgKinds: ['eo'] })
  cancel(
    @Caller() caller: Principal,
    @Param('referralId', referralId) id: string,
    @Body(new ValidBodyPipe('api/referral-change-reason.json', 'a cancellation needs its reason'))
    body: { reason: string },
    @IdempotencyKey() key: string,
  ): Promise<ReferralChangeRequested> {
    const ask = { org: caller.org, referralId: id, requestKey: key };
    return this.statusChanges.execute({ ...ask, actor: 'provider', change: 'cancel', reason: body.reason });
  }

  @Post(':referralId/no-show')
  @HttpCode(202)
  @Idempotent()
  @Access({ scopes: ['provider:write'], orgKinds: ['eo'] })
  noShow(
    @Caller() caller: Principal,
    @Param('referralId', referralId) id: string,
    @IdempotencyKey() key: string,
  ): Promise<ReferralChangeRequested> {
    return this.statusChanges.execute({
      org: caller.org,
      actor: 'provider',
      referralId: id,
      change: 'no-show',
      requestKey: key,
    });
  }
}
