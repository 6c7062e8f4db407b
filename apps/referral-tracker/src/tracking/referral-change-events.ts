import type { Referral, ReferralNotification } from '@passerelle/contracts';
import type { TopicNames } from '@passerelle/messaging';
import type { LedgerBatch } from '../ledger/ledger-batch';
import { checkedEvent, notificationOf, referralEvent, type Cause } from './tracker-events';

/** The referral event (to referrals.v1) and the referrer's notification, validated, into the batch's outbox. */
export function emitReferralChange(
  ledger: LedgerBatch,
  names: TopicNames,
  change: ReferralNotification['change'],
  referral: Referral,
  cause: Cause,
  reason?: ReferralNotification['reason'],
): void {
  const event = referralEvent(change, referral, cause);
  const notification = notificationOf(change, event, reason);
  ledger.emit([
    { topic: names.of('referrals.v1'), event: checkedEvent(event) },
    { topic: names.of('notifications.v1'), event: checkedEvent(notification) },
  ]);
}
