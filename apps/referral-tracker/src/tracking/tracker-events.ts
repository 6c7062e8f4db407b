import {
  schemaIdForPath,
  schemaRegistry,
  type CanonicalEvent,
  type Referral,
  type ReferralNotification,
} from '@passerelle/contracts';
import { deterministicEventId } from '@passerelle/messaging';

/** What caused a change: the inbound event (its id seeds every id the change emits). */
export interface Cause {
  eventId: string;
  correlationId?: string;
  occurredAt: string;
}

const SOURCE = '/passerelle/referral-tracker';
const REFERRAL_SCHEMA = schemaIdForPath('canonical/referral.json');
const NOTIFICATION_SCHEMA = schemaIdForPath('canonical/referral-notification.json');
/** The last part of every `ca.on.passerelle.referral.*` type the tracker emits. */
export type ReferralChange = ReferralNotification['change'] | 'business-status-changed';

export const NOTIFICATION_TYPE = 'ca.on.passerelle.notification.referral-status-changed';

/**
 * A `ca.on.passerelle.referral.<change>` event with the referral's snapshot. The id derives from
 * the cause, so re-applying the same inbound event (after a crash before commit) emits the same ids.
 */
export function referralEvent(change: ReferralChange, referral: Referral, cause: Cause): CanonicalEvent<Referral> {
  const type = `ca.on.passerelle.referral.${change}`;
  return {
    specversion: '1.0',
    id: deterministicEventId({
      sourceSystem: 'passerelle:referral-tracker',
      recordId: referral.referralId,
      version: cause.eventId,
      type,
    }),
    source: SOURCE,
    type,
    time: cause.occurredAt,
    subject: referral.referralId,
    dataschema: REFERRAL_SCHEMA,
    correlationid: cause.correlationId ?? cause.eventId,
    causationid: cause.eventId,
    partitionkey: referral.clientId,
    datacontenttype: 'application/json',
    data: referral,
  };
}

/** The referrer's notification of a referral event (no personal data). */
export function notificationOf(
  change: ReferralNotification['change'],
  event: CanonicalEvent<Referral>,
  reason?: ReferralNotification['reason'],
): CanonicalEvent<ReferralNotification> {
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
  return {
    specversion: '1.0',
    id: deterministicEventId({
      sourceSystem: 'passerelle:referral-tracker',
      recordId: referral.referralId,
      version: event.id,
      type: NOTIFICATION_TYPE,
    }),
    source: SOURCE,
    type: NOTIFICATION_TYPE,
    time: data.occurredAt,
    subject: referral.referralId,
    dataschema: NOTIFICATION_SCHEMA,
    correlationid: event.correlationid,
    causationid: event.id,
    partitionkey: referral.clientId,
    datacontenttype: 'application/json',
    data,
  };
}

/** An emitted event must satisfy its own schema (a bug here must not reach consumers); returns it as outbox JSON. */
export function checkedEvent<T>(event: CanonicalEvent<T>): Record<string, unknown> {
  schemaRegistry().assert(event.dataschema ?? '', event.data);
  return event as unknown as Record<string, unknown>;
}
