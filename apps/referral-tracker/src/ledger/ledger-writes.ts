import { sql, type Transaction } from 'kysely';
import {
  addJsonToOutbox,
  cancelTimers,
  insertRows,
  scheduleTimers,
  type ColumnOf,
  type Database,
  type MultiRowInsert,
} from '@passerelle/persistence';
import { TrackerError, TrackerErrorCode } from '../tracking/tracker.error';
import type { LedgerChanges, ReferralWrite } from './ledger-changes';

type Trx = Transaction<Database>;

/** Writes a batch's changes: one statement per table (per 1,000 rows), rows in the order they arose. */
export async function writeLedgerChanges(trx: Trx, changes: LedgerChanges): Promise<void> {
  await insertRows(trx, REFERRAL_INSERT, changes.insertedReferrals.map(referralValues));
  // Rows known to exist (loaded FOR UPDATE): the upsert updates each, in one statement.
  await insertRows(trx, REFERRAL_UPDATE, changes.updatedReferrals.map(referralValues));
  await insertRows(
    trx,
    HISTORY_INSERT,
    changes.history.map((h) => [
      h.referralId,
      h.fromStatus,
      h.toStatus,
      h.businessStatus,
      h.actor,
      h.actorOrg,
      h.reason === undefined ? null : JSON.stringify(h.reason),
      h.eventId,
      h.occurredAt,
    ]),
  );
  await insertRows(
    trx,
    CONSENT_UPSERT,
    changes.consents.map((c) => [
      c.consentId,
      c.clientId,
      c.purpose,
      c.recipients,
      c.grantedAt,
      c.expiresOn,
      c.withdrawnAt,
      c.snapshot,
    ]),
  );
  if (changes.parkedDeletes.length > 0) {
    await sql`delete from parked_event where id = any(${changes.parkedDeletes}::int8[])`.execute(trx);
  }
  await insertRows(
    trx,
    PARKED_INSERT,
    changes.parkedInserts.map((p) => [p.referralId, p.eventType, p.data, p.cause, p.eventTime]),
  );
  const spells = await insertRows<{ employment_spell_id: string }>(
    trx,
    SPELL_UPSERT,
    changes.spells.map((s) => [s.employmentSpellId, s.clientId, s.referralId, s.reportedBy, s.startDate, s.eventTime]),
  );
  const outcomes = await insertRows<{ client_id: string }>(
    trx,
    OUTCOME_UPSERT,
    changes.outcomes.map((o) => [
      o.clientId,
      o.outcomeType,
      o.employmentSpellId,
      o.outcomeId,
      o.referralId,
      o.achieved,
      o.observedOn,
      o.eventTime,
      o.reportedBy,
      o.snapshot,
    ]),
  );
  // The batch decided "latest by event time" on the rows it loaded; a transaction that wrote a
  // later word in between (another replica) makes the database disagree: retry the batch.
  if (spells.length !== changes.spells.length || outcomes.length !== changes.outcomes.length) {
    throw new TrackerError(
      TrackerErrorCode.ConcurrentChange,
      `${changes.spells.length - spells.length} employment spell(s), ${changes.outcomes.length - outcomes.length} outcome(s) changed by another transaction meanwhile`,
    );
  }
  await insertRows(
    trx,
    SUPPORT_INSERT,
    changes.supports.map((s) => [
      s.benefitId,
      s.clientId,
      s.network,
      s.issuedBy,
      s.benefitType,
      s.periodStart,
      s.periodEnd,
      s.referralId,
    ]),
  );
  await insertRows(
    trx,
    ALERT_INSERT,
    changes.alerts.map((a) => [
      a.alertId,
      a.kind,
      a.recipient,
      a.referralId,
      a.clientId,
      a.occurredAt,
      JSON.stringify(a.details),
    ]),
  );
  await cancelTimers(trx, changes.timers.cancelFirst);
  await scheduleTimers(trx, changes.timers.schedule);
  await cancelTimers(trx, changes.timers.cancelAfter);
  await addJsonToOutbox(trx, changes.outbox);
}

const REFERRAL_COLUMNS: readonly ColumnOf<'referral'>[] = [
  'referral_id',
  'client_id',
  'referrer',
  'provider',
  'status',
  'business_status',
  'consent_id',
  'requested_at',
  'updated_at',
  'snapshot',
  'version',
  'age_band',
  'region',
  'catchment',
  'provider_type',
  'stream',
  'accepted_at',
];
const REFERRAL_INSERT: MultiRowInsert<'referral'> = { table: 'referral', columns: REFERRAL_COLUMNS };
/** `version` carries how many updates to add; facts columns left null keep what the row holds. */
const REFERRAL_UPDATE: MultiRowInsert<'referral'> = {
  table: 'referral',
  columns: REFERRAL_COLUMNS,
  suffix: `on conflict (referral_id) do update set
    provider = excluded.provider, status = excluded.status, business_status = excluded.business_status,
    updated_at = excluded.updated_at, snapshot = excluded.snapshot, version = referral.version + excluded.version,
    age_band = coalesce(excluded.age_band, referral.age_band), region = coalesce(excluded.region, referral.region),
    catchment = coalesce(excluded.catchment, referral.catchment), provider_type = coalesce(excluded.provider_type, referral.provider_type),
    stream = coalesce(excluded.stream, referral.stream), accepted_at = coalesce(excluded.accepted_at, referral.accepted_at)`,
};
const HISTORY_INSERT: MultiRowInsert<'referral_history'> = {
  table: 'referral_history',
  columns: [
    'referral_id',
    'from_status',
    'to_status',
    'business_status',
    'actor',
    'actor_org',
    'reason',
    'event_id',
    'occurred_at',
  ],
};
/** A grant never undoes a withdrawal already recorded; who and when it was granted stay as first recorded. */
const CONSENT_UPSERT: MultiRowInsert<'consent'> = {
  table: 'consent',
  columns: ['consent_id', 'client_id', 'purpose', 'recipients', 'granted_at', 'expires_on', 'withdrawn_at', 'snapshot'],
  suffix: `on conflict (consent_id) do update set
    purpose = excluded.purpose, recipients = excluded.recipients, expires_on = excluded.expires_on,
    withdrawn_at = coalesce(consent.withdrawn_at, excluded.withdrawn_at), snapshot = excluded.snapshot`,
};
const PARKED_INSERT: MultiRowInsert<'parked_event'> = {
  table: 'parked_event',
  columns: ['referral_id', 'event_type', 'data', 'cause', 'event_time'],
};
/** A later word on a job (by event time) moves its start date; returns the rows written. */
const SPELL_UPSERT: MultiRowInsert<'employment_spell'> = {
  table: 'employment_spell',
  columns: ['employment_spell_id', 'client_id', 'referral_id', 'reported_by', 'start_date', 'event_time'],
  suffix: `on conflict (employment_spell_id) do update set start_date = excluded.start_date, event_time = excluded.event_time
    where employment_spell.event_time < excluded.event_time returning employment_spell_id`,
};
/** A milestone is replaced only by a later word on it (by event time); returns the rows written. */
const OUTCOME_UPSERT: MultiRowInsert<'outcome'> = {
  table: 'outcome',
  columns: [
    'client_id',
    'outcome_type',
    'employment_spell_id',
    'outcome_id',
    'referral_id',
    'achieved',
    'observed_on',
    'event_time',
    'reported_by',
    'snapshot',
  ],
  suffix: `on conflict (client_id, outcome_type, employment_spell_id) do update set
    outcome_id = excluded.outcome_id, referral_id = excluded.referral_id, achieved = excluded.achieved, observed_on = excluded.observed_on,
    event_time = excluded.event_time, reported_by = excluded.reported_by, snapshot = excluded.snapshot
    where outcome.event_time < excluded.event_time returning client_id`,
};
const SUPPORT_INSERT: MultiRowInsert<'support_issued'> = {
  table: 'support_issued',
  columns: [
    'benefit_id',
    'client_id',
    'network',
    'issued_by',
    'benefit_type',
    'period_start',
    'period_end',
    'referral_id',
  ],
  suffix: 'on conflict (benefit_id) do nothing',
};

/** An alert's id derives from what raised it: raised again (a replay), it stays as first kept. */
const ALERT_INSERT: MultiRowInsert<'referral_alert'> = {
  table: 'referral_alert',
  columns: ['alert_id', 'kind', 'recipient', 'referral_id', 'client_id', 'occurred_at', 'details'],
  suffix: 'on conflict (alert_id) do nothing',
};

function referralValues(r: ReferralWrite): unknown[] {
  return [
    r.referralId,
    r.clientId,
    r.referrer,
    r.provider,
    r.status,
    r.businessStatus,
    r.consentId,
    r.requestedAt,
    r.updatedAt,
    r.snapshot,
    r.version,
    r.ageBand,
    r.region,
    r.catchment,
    r.providerType,
    r.stream,
    r.acceptedAt,
  ];
}
