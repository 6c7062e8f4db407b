import type { ColumnType, Generated, SelectType } from 'kysely';
import type { FollowUpDue } from '@passerelle/contracts';

/*
 * Tables by owner: each app writes only its own tables (and the shared ones), and reads another
 * app's tables only through a read model typed read-only (`ReadOnlyTable`), so an insert or
 * update of them does not compile. Migrations see every table (`Database`).
 */

/** Tables every app may use: inbox, outbox, timers, the audit log, idempotency keys. */
export interface SharedTables {
  inbox: InboxTable;
  outbox: OutboxTable;
  timer: TimerTable;
  audit_log: AuditLogTable;
  audit_checkpoint: AuditCheckpointTable;
  retention_run: RetentionRunTable;
  idempotency_key: IdempotencyKeyTable;
  client_key: ClientKeyTable;
}

/** Tables the gateway owns. */
export interface GatewayTables {
  referral_submission: ReferralSubmissionTable;
  webhook_subscription: WebhookSubscriptionTable;
  alert_acknowledgement: AlertAcknowledgementTable;
}

/** Tables the referral tracker owns: its ledger. */
export interface TrackerTables {
  referral: ReferralTable;
  referral_history: ReferralHistoryTable;
  consent: ConsentTable;
  employment_spell: EmploymentSpellTable;
  outcome: OutcomeTable;
  support_issued: SupportIssuedTable;
  parked_event: ParkedEventTable;
  referral_alert: ReferralAlertTable;
}

/** Tables the adapters own: the links of source identities to canonical client ids. */
export interface AdapterTables {
  client_link: ClientLinkTable;
  client_link_conflict: ClientLinkConflictTable;
}

/** Tables the webhook dispatcher owns. */
export interface DispatcherTables {
  webhook_delivery: WebhookDeliveryTable;
  webhook_attempt: WebhookAttemptTable;
}

/** Every table of the Passerelle schema, for migrations and tools. Grows with each migration. */
export interface Database extends SharedTables, GatewayTables, TrackerTables, AdapterTables, DispatcherTables {}

/** What a read-only column takes on insert or update: a type no value has, so a write does not compile. */
interface ReadOnlyColumn {
  readonly readOnly: never;
}

/** A table as a reader outside its owner sees it: every column selectable, none insertable or updatable. */
export type ReadOnlyTable<T> = { [K in keyof T]: ColumnType<SelectType<T[K]>, ReadOnlyColumn, ReadOnlyColumn> };

/**
 * The tracker's ledger as other apps may read it (referral status, provider inboxes, consents,
 * reports): a read-only port. Only the tracker writes these tables.
 */
export interface LedgerReadModel {
  referral: ReadOnlyTable<ReferralTable>;
  referral_history: ReadOnlyTable<ReferralHistoryTable>;
  consent: ReadOnlyTable<ConsentTable>;
  employment_spell: ReadOnlyTable<EmploymentSpellTable>;
  outcome: ReadOnlyTable<OutcomeTable>;
  support_issued: ReadOnlyTable<SupportIssuedTable>;
  referral_alert: ReadOnlyTable<ReferralAlertTable>;
}

/**
 * What the gateway sees: its own and the shared tables, the tracker's ledger read-only, the delivery
 * log, and the identity links, read and changed only through `ClientLinkRegistry` (a person
 * resolving a link conflict).
 */
export interface GatewayDatabase extends SharedTables, GatewayTables, LedgerReadModel, AdapterTables {
  /**
   * The dispatcher's: read for a subscription's delivery log, written only to cancel the pending
   * deliveries of a subscription the gateway deletes, in the deleting transaction.
   */
  webhook_delivery: WebhookDeliveryTable;
  webhook_attempt: ReadOnlyTable<WebhookAttemptTable>;
}

/** What the referral tracker sees: the shared tables and its ledger. */
export interface TrackerDatabase extends SharedTables, TrackerTables {}

/** What an adapter sees: the shared tables and the identity links. */
export interface AdapterDatabase extends SharedTables, AdapterTables {}

/** What the webhook dispatcher sees: the shared tables, its deliveries, the gateway's subscriptions read-only. */
export interface DispatcherDatabase extends SharedTables, DispatcherTables {
  webhook_subscription: ReadOnlyTable<WebhookSubscriptionTable>;
}

export interface AuditLogTable {
  seq: Generated<string>;
  at: ColumnType<Date, string, never>;
  org: string;
  subject: string;
  action: string;
  resource: string;
  purpose: string;
  client_id: string | null;
  prev_hash: string;
  hash: string;
}

/** Where purged audit entries ended (0017): the chain goes on from `last_hash`. */
export interface AuditCheckpointTable {
  id: Generated<string>;
  through_seq: string;
  last_hash: string;
  deleted: string;
  cutoff: ColumnType<Date, never, never>;
  recorded_at: ColumnType<Date, never, never>;
}

/** One retention schedule slot, claimed by the replica that purges it (0017). */
export interface RetentionRunTable {
  slot: ColumnType<Date, string, never>;
  started_at: ColumnType<Date, never, never>;
  finished_at: ColumnType<Date | null, never, string>;
  report: ColumnType<unknown, never, string>;
}

export interface IdempotencyKeyTable {
  org: string;
  idempotency_key: string;
  request_hash: string;
  /** `running` until the first request answered, then `done`. */
  state: string;
  response_status: number | null;
  response_body: ColumnType<unknown, string | null, string | null>;
  response_headers: ColumnType<unknown, string | null, string | null>;
  started_at: ColumnType<Date, string | undefined, string>;
  completed_at: ColumnType<Date | null, string | null | undefined, string | null>;
}

export interface ReferralSubmissionTable {
  referral_id: string;
  referrer: string;
  source_referral_id: string;
  event_id: string;
  submitted_at: ColumnType<Date, string | undefined, never>;
}

export interface ParkedEventTable {
  id: Generated<string>;
  referral_id: string;
  event_type: string;
  data: ColumnType<unknown, string, never>;
  cause: ColumnType<unknown, string, never>;
  event_time: ColumnType<Date, string, never>;
  parked_at: ColumnType<Date, never, never>;
}

/**
 * The payload of a `follow-up-due` timer: written by the tracker when a job starts, read by it
 * when the timer fires and by the gateway's provider follow-up list.
 */
export interface FollowUpTimerPayload {
  employmentSpellId: string;
  provider: string;
  program: FollowUpDue['program'];
  source: FollowUpDue['source'];
  jobStartDate: string;
  dueOn: string;
  /** Months after the job start. */
  months: 1 | 3 | 6 | 12;
}

export interface TimerTable {
  id: Generated<string>;
  timer_key: string;
  /** `referral-overdue` or `follow-up-due`. */
  kind: string;
  client_id: string;
  referral_id: string | null;
  due_at: ColumnType<Date, string, string>;
  payload: ColumnType<unknown, string, string>;
  fired_at: ColumnType<Date | null, never, string | null>;
  cancelled_at: ColumnType<Date | null, never, string | null>;
}

export interface EmploymentSpellTable {
  employment_spell_id: string;
  client_id: string;
  referral_id: string | null;
  reported_by: string;
  start_date: ColumnType<Date, string, string>;
  event_time: ColumnType<Date, string, string>;
}

export interface OutcomeTable {
  client_id: string;
  outcome_type: string;
  /** The job the milestone is about, '' when none. */
  employment_spell_id: string;
  outcome_id: string;
  referral_id: string | null;
  achieved: boolean;
  observed_on: ColumnType<Date, string, string>;
  event_time: ColumnType<Date, string, string>;
  reported_by: string;
  snapshot: ColumnType<unknown, string, string>;
}

export interface SupportIssuedTable {
  benefit_id: string;
  client_id: string;
  /** `ow`, `odsp` or `eo`: the network that issued it. */
  network: string;
  issued_by: string;
  benefit_type: string;
  period_start: ColumnType<Date, string, string>;
  period_end: ColumnType<Date | null, string | null, string | null>;
  referral_id: string | null;
}

export interface ReferralTable {
  referral_id: string;
  client_id: string;
  referrer: string;
  provider: string | null;
  status: string;
  business_status: string;
  consent_id: string;
  requested_at: ColumnType<Date, string, string>;
  updated_at: ColumnType<Date, string, string>;
  /** When the ledger last changed the row (database clock, set by a trigger; what polling pages on). */
  changed_at: ColumnType<Date, never, never>;
  /** The canonical Referral as last emitted (JSON). */
  snapshot: ColumnType<unknown, string, string>;
  version: ColumnType<number, number | undefined, number>;
  age_band: string | null;
  region: string | null;
  catchment: string | null;
  provider_type: string | null;
  stream: string | null;
  accepted_at: ColumnType<Date | null, string | null | undefined, string | null>;
}

export interface ReferralHistoryTable {
  id: Generated<string>;
  referral_id: string;
  from_status: string | null;
  to_status: string;
  business_status: string;
  /** `referrer`, `provider` or `system`. */
  actor: string;
  actor_org: string;
  reason: ColumnType<unknown, string | null, never>;
  event_id: string;
  occurred_at: ColumnType<Date, string, never>;
  recorded_at: ColumnType<Date, never, never>;
}

export interface ConsentTable {
  consent_id: string;
  client_id: string;
  purpose: string;
  recipients: string[];
  granted_at: ColumnType<Date, string, string>;
  expires_on: ColumnType<Date | null, string | null, string | null>;
  withdrawn_at: ColumnType<Date | null, string | null, string | null>;
  /** The canonical Consent as last received (JSON). */
  snapshot: ColumnType<unknown, string | null | undefined, string | null>;
}

export interface OutboxTable {
  id: Generated<string>;
  topic: string;
  /** A whole CloudEvent (attributes and data) as JSON. */
  event: ColumnType<unknown, string, never>;
  created_at: ColumnType<Date, never, never>;
}

/** One client's data key of its `personal` member (0018): wrapped, or a tombstone once erased. */
export interface ClientKeyTable {
  client_id: string;
  wrapped_key: string | null;
  master_key_id: string | null;
  created_at: ColumnType<Date, never, never>;
  erased_at: ColumnType<Date | null, string | null | undefined, string | null>;
  /** When the key was last loaded to seal or open personal data (migration 0019): set by every key load. */
  used_at: ColumnType<Date, never, never>;
}

export interface ClientLinkTable {
  source_system: string;
  source_id: string;
  client_id: string;
  linked_at: ColumnType<Date, never, never>;
  /** Organization whose record attached the source id (null: linked before it was kept). */
  linked_by: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface ClientLinkConflictTable {
  conflict_id: string;
  /** Organizations whose records linked the ids in conflict: who may see and resolve it. */
  involved_orgs: string[];
  client_id: string;
  conflicting_client_id: string;
  /** `[{ system, id, clientId }]`: the record's source ids and the client each pointed at. */
  identities: ColumnType<unknown, string, never>;
  source_system: string;
  source_record_id: string;
  detected_at: ColumnType<Date, string, never>;
  /** null while open, then `linked` or `kept-apart`. */
  resolution: string | null;
  resolved_to: string | null;
  resolved_by: string | null;
  resolved_at: ColumnType<Date | null, string | null | undefined, string | null>;
}

export interface ReferralAlertTable {
  alert_id: string;
  /** `duplicate-support` or `no-show`. */
  kind: string;
  /** Referrer org the alert is for. */
  recipient: string;
  referral_id: string | null;
  client_id: string;
  occurred_at: ColumnType<Date, string, never>;
  /** Ids and codes only (no personal data), as JSON. */
  details: ColumnType<unknown, string, never>;
  recorded_at: ColumnType<Date, never, never>;
}

/** A recipient's acknowledgement of an alert of the tracker's (`POST /v1/alerts/{id}/acknowledge`). */
export interface AlertAcknowledgementTable {
  alert_id: string;
  org: string;
  /** Token subject of the person (or system) that acknowledged it. */
  acknowledged_by: string;
  acknowledged_at: ColumnType<Date, string | undefined, never>;
}

export interface InboxTable {
  /** Which consumer applied the event (an event may matter to several). */
  consumer: string;
  /** The CloudEvent `ce_id`: deterministic, so a redelivered or replayed event is recognized. */
  event_id: string;
  event_type: string;
  topic: string;
  partition: number;
  offset: string;
  applied_at: ColumnType<Date, never, never>;
}

export interface WebhookSubscriptionTable {
  id: string;
  org: string;
  url: string;
  /** null: every change. */
  changes: string[] | null;
  description: string | null;
  /** Signing secret; null once the subscription is deleted. */
  secret: string | null;
  created_at: ColumnType<Date, string | undefined, never>;
  deleted_at: ColumnType<Date | null, never, string | null>;
}

export interface WebhookDeliveryTable {
  id: string;
  seq: Generated<string>;
  subscription_id: string;
  event_id: string;
  event_type: string;
  /** CloudEvent attributes of the notification (JSON), sent as `ce-*` headers. */
  attributes: ColumnType<unknown, string, never>;
  /** The exact request body, the same bytes on every attempt. */
  body: string;
  /** `pending`, `delivered`, `failed` or `cancelled`. */
  state: string;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: ColumnType<Date | null, string | null, string | null>;
  lease_token: string | null;
  created_at: ColumnType<Date, string | undefined, never>;
  completed_at: ColumnType<Date | null, string | null | undefined, string | null>;
}

export interface WebhookAttemptTable {
  id: Generated<string>;
  delivery_id: string;
  attempt: number;
  attempted_at: ColumnType<Date, string, never>;
  duration_ms: number;
  status_code: number | null;
  error: string | null;
  /** `delivered`, `retry` or `failed`. */
  outcome: string;
  next_attempt_at: ColumnType<Date | null, string | null, never>;
}
