import { Inject, Injectable } from '@nestjs/common';
import type { DatabaseHandle, GatewayDatabase } from '@passerelle/persistence';
import { DATABASE } from '../tokens';

/** A referral the gateway accepted (`202`), as recorded before the tracker has it. */
export interface ReferralSubmission {
  referralId: string;
  referrer: string;
  sourceReferralId: string;
}

/**
 * The gateway's own `referral_submission` rows. They are written with the request's kept answer
 * (the `referralSubmissions` effect of `IdempotencyStore`), so they are only read here.
 */
@Injectable()
export class ReferralSubmissionRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle<GatewayDatabase>) {}

  /** The submission, if `referrer` made it. */
  async findOfReferrer(referralId: string, referrer: string): Promise<ReferralSubmission | undefined> {
    const row = await this.database.db
      .selectFrom('referral_submission')
      .select(['referral_id', 'referrer', 'source_referral_id'])
      .where('referral_id', '=', referralId)
      .where('referrer', '=', referrer)
      .executeTakeFirst();
    return row && { referralId: row.referral_id, referrer: row.referrer, sourceReferralId: row.source_referral_id };
  }
}
