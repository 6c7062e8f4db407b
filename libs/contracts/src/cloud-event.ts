import type { ContractEventType } from './generated/asyncapi';

/**
 * A CloudEvents 1.0 event as Passerelle carries it: Kafka binary content mode, data as JSON in
 * the record value, attributes as `ce_*` headers (DESIGN.md, Contract/Events). Declared here, not
 * in libs/messaging, because pure mappings return it and contracts must not depend on messaging.
 */
export interface CloudEvent<T = unknown> {
  specversion: '1.0';
  id: string;
  source: string;
  /** Reverse-DNS: ca.on.passerelle.<entity>.<verb>. A string: a consumer may read types it does not know. */
  type: string;
  time?: string;
  subject?: string;
  dataschema?: string;
  /** Extension attributes Passerelle uses for tracing and routing. */
  correlationid?: string;
  causationid?: string;
  partitionkey?: string;
  datacontenttype: 'application/json';
  data: T;
}

/** The status change a referrer is notified of (consumed by webhook-dispatcher). */
export const NOTIFICATION_TYPE = 'ca.on.passerelle.notification.referral-status-changed' satisfies ContractEventType;

/** A duplicate support or a no-show, addressed to the referrer concerned (consumed by webhook-dispatcher). */
export const ALERT_NOTIFICATION_TYPE = 'ca.on.passerelle.notification.alert-raised' satisfies ContractEventType;

/** An outcome follow-up that fell due, addressed to the provider to do it (consumed by webhook-dispatcher). */
export const FOLLOW_UP_NOTIFICATION_TYPE = 'ca.on.passerelle.notification.follow-up-due' satisfies ContractEventType;
