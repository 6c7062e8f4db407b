import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import type { Principal } from '@passerelle/auth';
import { Access } from '../auth/access';
import { Caller } from '../auth/caller.decorator';
import type { IdempotentAnswer } from '../idempotency/idempotent-answer';
import { Idempotent } from '../idempotency/idempotent.decorator';
import type { ReferralStatus } from './referral-status';
import { SubmitOdspReferral } from './submit-referral';

/**
 * ODSP offices' referrals: `POST /v1/odsp/referrals` takes an ODSP employment record; reading,
 * listing and cancelling are the referrers' `/v1/referrals` endpoints, as for OW.
 */
@Controller('odsp/referrals')
export class OdspReferralsController {
  constructor(private readonly submitOdspReferral: SubmitOdspReferral) {}

  /** As `POST /v1/referrals`: `202` once the record is on Kafka and the submission recorded; idempotent. */
  @Post()
  @HttpCode(202)
  @Idempotent()
  @Access({ scopes: ['referrals:write'], orgKinds: ['odsp'] })
  submit(@Caller() caller: Principal, @Body() body: unknown): Promise<IdempotentAnswer<ReferralStatus>> {
    return this.submitOdspReferral.execute(caller, body);
  }
}
