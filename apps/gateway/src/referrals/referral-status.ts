import { label, type Lang } from '@passerelle/codes';
import type { Referral } from '@passerelle/contracts';
import type { DatabaseHandle } from '@passerelle/persistence';
import type { components } from '@passerelle/contracts';

export type ReferralStatus = components['schemas']['ReferralStatus'];

/**
 * Reads where a referral stands, for its referrer only: the tracker's ledger once it recorded the
 * referral, else the gateway's own submission row (so a read right after the `202` finds it,
 * `requested`). Another organization's referral is not found, exactly like a missing one.
 */
export class ReferralStatusReader {
  constructor(private readonly database: DatabaseHandle) {}

  async read(referralId: string, referrer: string): Promise<ReferralStatus | undefined> {
    const tracked = await this.database.db
      .selectFrom('referral')
      .select(['snapshot', 'referrer'])
      .where('referral_id', '=', referralId)
      .where('referrer', '=', referrer)
      .executeTakeFirst();
    if (tracked) return statusView(tracked.snapshot as Referral);
    const submitted = await this.database.db
      .selectFrom('referral_submission')
      .selectAll()
      .where('referral_id', '=', referralId)
      .where('referrer', '=', referrer)
      .executeTakeFirst();
    if (!submitted) return undefined;
    return pendingStatus(
      submitted.referral_id,
      submitted.source_referral_id,
      submitted.referrer as ReferralStatus['referrer'],
    );
  }
}

export function linkOf(referralId: string): string {
  return `/v1/referrals/${referralId}`;
}

/** A referral the gateway accepted and the tracker has not recorded yet. */
export function pendingStatus(
  referralId: string,
  sourceReferralId: string,
  referrer: ReferralStatus['referrer'],
): ReferralStatus {
  return {
    referralId,
    sourceReferralId,
    referrer,
    status: 'requested',
    businessStatus: 'created',
    links: { self: linkOf(referralId) },
  };
}

/** What a referrer sees of a referral the tracker holds (no personal data). */
export function statusView(r: Referral): ReferralStatus {
  return {
    referralId: r.referralId,
    sourceReferralId: r.sourceReferralId ?? '',
    referrer: r.referrer,
    status: r.status,
    businessStatus: r.businessStatus,
    ...(r.provider !== undefined && { provider: r.provider }),
    ...(r.statusReason !== undefined && { statusReason: r.statusReason }),
    updatedAt: r.updatedAt,
    links: { self: linkOf(r.referralId) },
  };
}

/** The status with its codes' labels in `language` (code tables are bilingual; the codes stay as they are). */
export function labelled(status: ReferralStatus, language: Lang): ReferralStatus {
  const declineReason = status.statusReason?.declineReason;
  return {
    ...status,
    labels: {
      status: label('referral-statuses', status.status, language),
      businessStatus: label('referral-business-statuses', status.businessStatus, language),
      ...(declineReason !== undefined && { declineReason: label('decline-reasons', declineReason, language) }),
    },
  };
}
