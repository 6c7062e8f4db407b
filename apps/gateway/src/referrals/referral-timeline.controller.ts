import { Controller, Get, Param } from '@nestjs/common';
import type { Principal } from '@passerelle/auth';
import { Access } from '../auth/access';
import { Caller } from '../auth/caller.decorator';
import { CanonicalIdPipe } from '../platform/canonical-id.pipe';
import { PreferredLanguage } from '../problem/preferred-language.decorator';
import type { Language } from '../problem/problem-language';
import { ReadReferralHistory } from './read-referral-history';
import { ReadReferralOutcomes } from './read-referral-outcomes';
import type { ReferralHistory } from './referral-history';
import type { ReferralOutcomes } from './referral-outcomes';
import { ReferralErrorCode } from './referral.error';

const referralId = new CanonicalIdPipe(ReferralErrorCode.NotFound, 'no such referral');

/** Referrers (the caseworker's view): what happened to one of their referrals, and what came of it. */
@Controller('referrals')
export class ReferralTimelineController {
  constructor(
    private readonly readHistory: ReadReferralHistory,
    private readonly readOutcomes: ReadReferralOutcomes,
  ) {}

  /** Every change: who, when, from→to, why (coded reasons labelled in the caller's language). */
  @Get(':referralId/history')
  @Access({ scopes: ['referrals:read'], orgKinds: ['ow', 'odsp'] })
  history(
    @Caller() caller: Principal,
    @Param('referralId', referralId) id: string,
    @PreferredLanguage() language: Language,
  ): Promise<ReferralHistory> {
    return this.readHistory.execute(caller.org, id, language);
  }

  /** The outcome milestones tied to the referral (job, follow-ups, ODSP milestones). */
  @Get(':referralId/outcomes')
  @Access({ scopes: ['referrals:read'], orgKinds: ['ow', 'odsp'] })
  outcomes(
    @Caller() caller: Principal,
    @Param('referralId', referralId) id: string,
    @PreferredLanguage() language: Language,
  ): Promise<ReferralOutcomes> {
    return this.readOutcomes.execute(caller.org, id, language);
  }
}
