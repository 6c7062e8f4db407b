import {
  FOLLOW_UP_NOTIFICATION_TYPE,
  NOTIFICATION_TYPE,
  schemaRegistry,
  type CloudEvent,
  type FollowUpDue,
  type FollowUpNotification,
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
  return referralNotificationEvent(event, data);
}

/** What a provider hears of its referrals: a new one, one its referrer or the system cancelled, its answer being late. */
const PROVIDER_CHANGES: ReadonlySet<ReferralNotification['change']> = new Set(['routed', 'cancelled', 'overdue']);
/** Where a provider reads what the consent shares of a referral routed to it (the notification carries none of it). */
export const PROVIDER_INBOX_PATH = '/v1/provider/referrals';

/**
 * The provider's notification of a referral event, when the change concerns it: `routed` (a new
 * client: no personal data, a link to the inbox that has it), `cancelled` unless the provider
 * itself cancelled, `overdue`. Its id derives from the same cause as the referrer's, apart by recipient.
 */
export function providerNotificationOf(
  change: ReferralNotification['change'],
  event: CloudEvent<Referral>,
  actor: string | undefined,
  reason?: ReferralNotification['reason'],
): CloudEvent<ReferralNotification> | undefined {
  const referral = event.data;
  const provider = referral.provider;
  if (provider === undefined || !PROVIDER_CHANGES.has(change)) return undefined;
  if (change === 'cancelled' && actor === 'provider') return undefined;
  const data: ReferralNotification = {
    notificationId: event.id,
    recipient: provider,
    referralId: referral.referralId,
    clientId: referral.clientId,
    change,
    status: referral.status,
    businessStatus: referral.businessStatus,
    provider,
    ...(reason !== undefined && { reason }),
    link: PROVIDER_INBOX_PATH,
    occurredAt: event.time ?? referral.updatedAt,
  };
  return referralNotificationEvent(event, data, `to:${provider}`);
}

/**
 * The envelope of a notification of referral event `event`: its id derives from that event, set
 * apart by `discriminator` when the same event notifies more than one recipient.
 */
function referralNotificationEvent(
  event: CloudEvent<Referral>,
  data: ReferralNotification,
  discriminator?: string,
): CloudEvent<ReferralNotification> {
  const referralId = event.data.referralId;
  return canonicalEvent({
    type: NOTIFICATION_TYPE,
    id: {
      sourceSystem: 'passerelle:referral-tracker',
      recordId: referralId,
      version: event.id,
      ...(discriminator !== undefined && { discriminator }),
    },
    source: SOURCE,
    time: data.occurredAt,
    subject: referralId,
    correlationid: event.correlationid,
    causationid: event.id,
    partitionkey: event.data.clientId,
    data,
  });
}

/** The provider's notification that a follow-up fell due (no personal data; a link to its due follow-ups). */
export function followUpNotificationOf(event: CloudEvent<FollowUpDue>): CloudEvent<FollowUpNotification> {
  const due = event.data;
  const data: FollowUpNotification = {
    notificationId: event.id,
    recipient: due.provider,
    change: 'follow-up-due',
    clientId: due.clientId,
    ...(due.referralId !== undefined && { referralId: due.referralId }),
    employmentSpellId: due.employmentSpellId,
    outcomeType: due.outcomeType,
    dueOn: due.dueOn,
    occurredAt: event.time ?? `${due.dueOn}T12:00:00.000Z`,
    link: `/v1/provider/follow-ups?due=${due.dueOn}`,
  };
  return canonicalEvent({
    type: FOLLOW_UP_NOTIFICATION_TYPE,
    id: { sourceSystem: 'passerelle:referral-tracker', recordId: due.employmentSpellId, version: event.id },
    source: SOURCE,
    time: data.occurredAt,
    subject: due.employmentSpellId,
    correlationid: event.correlationid ?? event.id,
    causationid: event.id,
    partitionkey: due.clientId,
    data,
  });
}

/** An emitted event must satisfy its own schema (a bug here must not reach consumers); returns it as outbox JSON. */
export function checkedEvent<T>(event: CloudEvent<T>): Record<string, unknown> {
  schemaRegistry().assert(event.dataschema ?? '', event.data);
  return event as unknown as Record<string, unknown>;
}
