import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import type { Principal } from '@passerelle/auth';
import { Access } from '../auth/access';
import { Caller } from '../auth/caller.decorator';
import { IdempotencyKey } from '../idempotency/idempotency-key.decorator';
import type { IdempotentAnswer } from '../idempotency/idempotent-answer';
import { Idempotent } from '../idempotency/idempotent.decorator';
import { ReferrerPageQueryPipe, type ReferralPageQuery } from '../paging/referral-pages';
import { CanonicalIdPipe } from '../platform/canonical-id.pipe';
import { ValidBodyPipe } from '../platform/valid-body.pipe';
import { PreferredLanguage } from '../problem/preferred-language.decorator';
import type { Language } from '../problem/problem-language';
import { CancelReferral, type ReferralChangeRequested } from './cancel-referral';
import { ListReferrals } from './list-referrals';
import { ReadReferralStatus } from './read-referral-status';
import type { ReferralStatus, ReferralStatusPage } from './referral-status';
import { SubmitReferral } from './submit-referral';
import { ReferralErrorCode } from './referral.error';
import { RequestStatusChange } from './request-status-change';

const referralId = new CanonicalIdPipe(ReferralErrorCode.NotFound, 'no such referral');

/** Referrers: submit a referral, list and read their referrals, cancel one. */
@Controller('referrals')
export class ReferralsController {
  constructor(
    private readonly submitReferral: SubmitReferral,
    private readonly listReferrals: ListReferrals,
    private readonly readReferralStatus: ReadReferralStatus,
    private readonly cancelReferral: CancelReferral,
    private readonly statusChanges: RequestStatusChange,
  ) {}

  /**
   * `202` once the case record is on Kafka (acks=all) and the submission recorded. The same
   * `Idempotency-Key` and body replay the first answer; another body is `422`; while the first
   * request runs, `409`.
   */
  @Post()
  @HttpCode(202)
  @Idempotent()
  @Access({ scopes: ['referrals:write'], orgKinds: ['ow'] })
  submit(@Caller() caller: Principal, @Body() body: unknown): Promise<IdempotentAnswer<ReferralStatus>> {
    return this.submitReferral.execute(caller, body);
  }

  /** The caller's referrals, oldest change first, with filters (its own `sourceReferralId` too) and cursor pages. */
  @Get()
  @Access({ scopes: ['referrals:read'], orgKinds: ['ow', 'odsp'] })
  list(
    @Caller() caller: Principal,
    @Query(ReferrerPageQueryPipe) query: ReferralPageQuery,
    @PreferredLanguage() language: Language,
  ): Promise<ReferralStatusPage> {
    return this.listReferrals.execute(caller.org, query, language);
  }

  /** Cancel with a reason: checked against the lifecycle (`409` when refused), then sent to the tracker. */
  @Post(':referralId/cancel')
  @HttpCode(202)
  @Idempotent()
  @Access({ scopes: ['referrals:write'], orgKinds: ['ow', 'odsp'] })
  cancel(
    @Caller() caller: Principal,
    @Param('referralId', referralId) id: string,
    @Body(new ValidBodyPipe('api/referral-cancel.json', 'a cancellation needs its reason')) body: { reason: string },
    @IdempotencyKey() key: string,
  ): Promise<ReferralChangeRequested> {
    return this.cancelReferral.execute(caller.org, id, body.reason, key);
  }

  /** Void a referral recorded in error: checked against the lifecycle (`409` when refused), then sent to the tracker. */
  @Post(':referralId/entered-in-error')
  @HttpCode(202)
  @Idempotent()
  @Access({ scopes: ['referrals:write'], orgKinds: ['ow', 'odsp'] })
  enteredInError(
    @Caller() caller: Principal,
    @Param('referralId', referralId) id: string,
    @IdempotencyKey() key: string,
  ): Promise<ReferralChangeRequested> {
    const ask = { org: caller.org, referralId: id, requestKey: key };
    return this.statusChanges.execute({ ...ask, actor: 'referrer', change: 'entered-in-error' });
  }

  /** Where the referral stands; `404` for one that does not exist and for another organization's, alike. */
  @Get(':referralId')
  @Access({ scopes: ['referrals:read'], orgKinds: ['ow', 'odsp'] })
  read(
    @Caller() caller: Principal,
    @Param('referralId', referralId) id: string,
    @PreferredLanguage() language: Language,
  ): Promise<ReferralStatus> {
    return this.readReferralStatus.execute(caller.org, id, language);
  }
}
