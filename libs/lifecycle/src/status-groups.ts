import type { ReferralStatus } from './referral-lifecycle';

/**
 * Statuses of a referral whose provider took the client on: `accepted`, and every status the
 * provider alone moves it to from there (service started, on hold, completed, failed). A
 * cancellation or an entry in error is not the provider's own step, so it leaves the group. The
 * tracker reads a provider's acceptance of such a referral as a repeat, applies scheduled service
 * events only to the open ones, and ties a provider's events that name no referral to the latest
 * one. Fixed here for the hot path; the spec derives it from `data/referral-lifecycle.json`.
 */
export const TAKEN_ON_STATUSES: ReadonlySet<ReferralStatus> = new Set<ReferralStatus>([
  'accepted',
  'in-progress',
  'on-hold',
  'completed',
  'failed',
]);
