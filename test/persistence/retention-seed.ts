import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { OPEN_STATUSES } from '@passerelle/lifecycle';
import { auditChainHash, type AuditEntry, type Database, type RetentionRunOptions } from '@passerelle/persistence';
import { seedRecords, type SeededRecords } from './retention-seed-records';

const MS = 1;
const DAY = 86_400_000;

/** Each kind's cutoff in the suite's policy, for `NOW`. */
export const NOW = new Date('2026-06-01T00:30:00.000Z');
export const POLICY = {
  closedReferralPersonalDays: 30,
  webhookDeliveryDays: 90,
  idempotencyKeyHours: 24,
  inboxDays: 60,
  clientKeyDays: 60,
  closedRecordDays: 90,
  auditLogDays: 365,
};
export const HOUR = 3_600_000;
/** The run both retention suites make: small batches (each purge takes several), hourly slots. */
export const RUN_OPTIONS: RetentionRunOptions = {
  policy: POLICY,
  batchRows: 2,
  intervalMs: HOUR,
  openReferralStatuses: OPEN_STATUSES,
};
const cutoff = (ms: number) => NOW.getTime() - ms;
export const CUTOFF = {
  referral: cutoff(30 * DAY),
  webhook: cutoff(90 * DAY),
  idempotency: cutoff(24 * 3_600_000),
  inbox: cutoff(60 * DAY),
  audit: cutoff(365 * DAY),
  runs: cutoff(30 * DAY),
  clientKey: cutoff(60 * DAY),
  closedRecord: cutoff(90 * DAY),
};
const at = (ms: number) => new Date(ms).toISOString();

/** Ids of what the suite seeded, by whether the run at `NOW` must purge it. */
export interface Seeded {
  referrals: { due: string[]; kept: string[] };
  parked: { due: string; kept: string };
  deliveries: { due: string[]; kept: string[] };
  keys: { due: string; kept: string };
  inbox: { due: string; kept: string };
  audit: { due: string[]; kept: string[] };
  runs: { due: string; kept: string };
  records: SeededRecords;
}

/**
 * Rows just before and just at each cutoff (a row at the cutoff is not yet due), plus open and
 * pending rows older than every cutoff. Triggers are off while seeding so `changed_at` is the one given.
 */
export async function seed(db: Kysely<Database>): Promise<Seeded> {
  return db.transaction().execute(async (trx) => {
    await sql`set local session_replication_role = replica`.execute(trx);
    const referral = async (status: string, changedAt: number): Promise<string> => {
      const id = randomUUID();
      const snapshot = { referralId: id, status, personal: { givenName: 'Ana', birthDate: '1990-01-01' } };
      await sql`insert into referral (referral_id, client_id, referrer, status, business_status, consent_id,
          requested_at, updated_at, snapshot, changed_at)
        values (${id}, ${randomUUID()}, 'ow:toronto', ${status}, ${status}, ${randomUUID()}, ${at(changedAt - DAY)},
          ${at(changedAt)}, ${JSON.stringify(snapshot)}::jsonb, ${at(changedAt)})`.execute(trx);
      await sql`insert into referral_history (referral_id, from_status, to_status, business_status, actor, actor_org, event_id, occurred_at)
        values (${id}, 'requested', ${status}, ${status}, 'provider', 'eo:p1', ${randomUUID()}, ${at(changedAt)})`.execute(
        trx,
      );
      return id;
    };
    const referrals = {
      due: [
        await referral('completed', CUTOFF.referral - MS),
        await referral('cancelled', CUTOFF.referral - 40 * DAY),
        await referral('rejected', CUTOFF.referral - 2 * DAY),
      ],
      kept: [
        await referral('completed', CUTOFF.referral),
        await referral('accepted', CUTOFF.referral - 100 * DAY),
        await referral('on-hold', CUTOFF.referral - MS),
      ],
    };
    const parkedFor = async (referralId: string): Promise<string> => {
      const { rows } = await sql<{
        id: string;
      }>`insert into parked_event (referral_id, event_type, data, cause, event_time)
        values (${referralId}, 'ca.on.passerelle.referral.submitted', ${JSON.stringify({ referralId, personal: { givenName: 'Ana' } })}::jsonb,
          '{}'::jsonb, ${at(CUTOFF.referral - DAY)}) returning id`.execute(trx);
      return rows[0].id;
    };
    const parked = { due: await parkedFor(referrals.due[0]), kept: await parkedFor(referrals.kept[1]) };

    const subscription = randomUUID();
    await sql`insert into webhook_subscription (id, org, url) values (${subscription}, 'ow:toronto', 'https://example.org/hook')`.execute(
      trx,
    );
    const delivery = async (state: string, completedAt: number | null, attempts: number): Promise<string> => {
      const id = randomUUID();
      await sql`insert into webhook_delivery (id, subscription_id, event_id, event_type, attributes, body, state, attempts, created_at, completed_at)
        values (${id}, ${subscription}, ${randomUUID()}, 'ca.on.passerelle.referral.accepted', '{}'::jsonb, '{}', ${state}, ${attempts},
          ${at(CUTOFF.webhook - 200 * DAY)}, ${completedAt === null ? null : at(completedAt)})`.execute(trx);
      for (let n = 1; n <= attempts; n += 1)
        await sql`insert into webhook_attempt (delivery_id, attempt, attempted_at, duration_ms, outcome)
          values (${id}, ${n}, ${at(CUTOFF.webhook - DAY)}, 12, ${n === attempts && state === 'delivered' ? 'delivered' : 'retry'})`.execute(
          trx,
        );
      return id;
    };
    const deliveries = {
      due: [
        await delivery('delivered', CUTOFF.webhook - MS, 2),
        await delivery('failed', CUTOFF.webhook - 30 * DAY, 3),
        await delivery('cancelled', CUTOFF.webhook - DAY, 0),
      ],
      kept: [await delivery('delivered', CUTOFF.webhook, 1), await delivery('pending', null, 4)],
    };

    const key = async (startedAt: number): Promise<string> => {
      const k = randomUUID();
      await sql`insert into idempotency_key (org, idempotency_key, request_hash, state, response_status, response_body, started_at, completed_at)
        values ('ow:toronto', ${k}, 'h', 'done', 202, '{"personal":{"givenName":"Ana"}}'::jsonb, ${at(startedAt)}, ${at(startedAt)})`.execute(
        trx,
      );
      return k;
    };
    const keys = { due: await key(CUTOFF.idempotency - MS), kept: await key(CUTOFF.idempotency) };

    const applied = async (appliedAt: number): Promise<string> => {
      const id = randomUUID();
      await sql`insert into inbox (consumer, event_id, event_type, topic, partition, "offset", applied_at)
        values ('referral-tracker', ${id}, 't', 'referrals.v1', 0, 1, ${at(appliedAt)})`.execute(trx);
      return id;
    };
    const inbox = { due: await applied(CUTOFF.inbox - MS), kept: await applied(CUTOFF.inbox) };

    // A valid chain laid down at chosen times (audit_append would stamp the database's clock).
    const audit: Seeded['audit'] = { due: [], kept: [] };
    let prev = '0'.repeat(64);
    for (const [when, due] of [
      [CUTOFF.audit - 3 * DAY, true],
      [CUTOFF.audit - MS, true],
      [CUTOFF.audit, false],
      [CUTOFF.audit + DAY, false],
    ] as const) {
      const entry: AuditEntry = {
        org: 'eo:p1',
        subject: 'u1',
        action: 'read',
        resource: `referral/${when}`,
        purpose: 'service-delivery',
      };
      const hash = auditChainHash(prev, at(when), entry);
      const { rows } = await sql<{
        seq: string;
      }>`insert into audit_log (at, org, subject, action, resource, purpose, prev_hash, hash)
        values (${at(when)}, ${entry.org}, ${entry.subject}, ${entry.action}, ${entry.resource}, ${entry.purpose}, ${prev}, ${hash})
        returning seq`.execute(trx);
      (due ? audit.due : audit.kept).push(rows[0].seq);
      prev = hash;
    }
    // The job's own log: one run a crashed replica left unfinished, one finished.
    await sql`insert into retention_run (slot) values (${at(CUTOFF.runs - MS)})`.execute(trx);
    await sql`insert into retention_run (slot, finished_at) values (${at(CUTOFF.runs)}, ${at(CUTOFF.runs)})`.execute(
      trx,
    );
    const runs = { due: at(CUTOFF.runs - MS), kept: at(CUTOFF.runs) };
    const records = await seedRecords(trx, CUTOFF);
    return { referrals, parked, deliveries, keys, inbox, audit, runs, records };
  });
}
