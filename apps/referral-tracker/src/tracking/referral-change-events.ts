import type { Referral, ReferralNotification } from '@passerelle/contracts';
import type { TopicNames } from '@passerelle/messaging';
import type { LedgerBatch } from '../ledger/ledger-batch';
import { checkedEvent, notificationOf, providerNotificationOf, referralEvent, type Cause } from './tracker-events';

/**
 * The referral event (to referrals.v1), the referrer's notification and, when the change concerns
 * it, the provider's (`actor`: who made the change, so a provider is not told of its own
 * cancellation), validated, into the batch's outbox.
 */
export function emitReferralChange(
  ledger: LedgerBatch,
  names: TopicNames,
  change: ReferralNotification['change'],
  referral: Referral,
  cause: Cause,
  reason?: ReferralNotification['reason'],
  actor?: string,
): void {
  const event = referralEvent(change, referral, cause);
  const notification = notificationOf(change, event, reason);
  const toProvider = providerNotificationOf(change, event, actor, reason);
  ledger.emit([
    { topic: names.of('referrals.v1'), event: checkedEvent(event) },
    { topic: names.of('notifications.v1'), event: checkedEvent(notification) },
    ...(toProvider === undefined ? [] : [{ topic: names.of('notifications.v1'), event: checkedEvent(toProvider) }]),
  ]);
}
