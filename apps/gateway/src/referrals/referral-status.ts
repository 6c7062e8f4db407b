import { label, type Lang } from '@passerelle/codes';
import type { Referral, components } from '@passerelle/contracts';

export type ReferralStatus = components['schemas']['ReferralStatus'];
export type ReferralStatusPage = components['schemas']['ReferralStatusPage'];

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
