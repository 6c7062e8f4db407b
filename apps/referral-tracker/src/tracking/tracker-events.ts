import {
  NOTIFICATION_TYPE,
  schemaRegistry,
  type CloudEvent,
  type Referral,
  type ReferralNotification,
} from '@passerelle/contracts';
import { canonicalEvent } from '@passerelle/messaging';

/** What caused a change: the inbound event (its id seeds every id the change emits). */
export interface Cause {
  eventId: string;
  correlationId?: string;
  occurredAt: string;
}

const SOURCE = '/passerelle/referral-tracker';
/** The last part of every `ca.on.passerelle.referral.*` type the tracker emits. */
export type ReferralChange = ReferralNotification['change'] | 'business-status-changed';

/**
 * A `ca.on.passerelle.referral.<change>` event with the referral's snapshot. The id derives from
 * the cause, so re-applying the same inbound event (after a crash before commit) emits the same ids.
 */
export function referralEvent(change: ReferralChange, referral: Referral, cause: Cause): CloudEvent<Referral> {
  return canonicalEvent({
    type: `ca.on.passerelle.referral.${change}`,
    id: { sourceSystem: 'passerelle:referral-tracker', recordId: referral.referralId, version: cause.eventId },
    source: SOURCE,
    time: cause.occurredAt,
    subject: referral.referralId,
    correlationid: cause.correlationId ?? cause.eventId,
    causationid: cause.eventId,
    partitionkey: referral.clientId,
    data: referral,
  });
}

/** The referrer's notification of a referral event (no personal data). */
export function notificationOf(
  change: ReferralNotification['change'],
  event: CloudEvent<Referral>,
  reason?: ReferralNotification['reason'],
): CloudEvent<ReferralNotification> {
  const referral = event.data;
  const data: ReferralNotification = {
    notificationId: event.id,
    recipient: referral.referrer,
    referralId: referral.referralId,
    ...(referral.sourceReferralId !== undefined && { sourceReferralId: referral.sourceReferralId }),
    clientId: referral.clientId,
    change,
    status: referral.status,
    businessStatus: referral.businessStatus,
    ...(referral.provider !== undefined && { provider: referral.provider }),
    ...(reason !== undefined && { reason }),
    occurredAt: event.time ?? referral.updatedAt,
  };
  return canonicalEvent({
    type: NOTIFICATION_TYPE,
    id: { sourceSystem: 'passerelle:referral-tracker', recordId: referral.referralId, version: event.id },
    source: SOURCE,
    time: data.occurredAt,
    subject: referral.referralId,
    correlationid: event.correlationid,
    causationid: event.id,
    partitionkey: referral.clientId,
    data,
  });
}

/** An emitted event must satisfy its own schema (a bug here must not reach consumers); returns it as outbox JSON. */
export function checkedEvent<T>(event: CloudEvent<T>): Record<string, unknown> {
  schemaRegistry().assert(event.dataschema ?? '', event.data);
  return event as unknown as Record<string, unknown>;
}
