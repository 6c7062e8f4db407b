import { sql, type Kysely } from 'kysely';
import * as auditAppend from './0013_audit_append';

/**
 * Retention (README, "Retention"): what the scheduled purge needs.
 * - `retention_run`: one row per schedule slot, claimed by the replica that runs it, so a slot is
 *   purged once however many replicas tick; it keeps what the run did.
 * - `audit_checkpoint`: when the oldest audit entries are purged, the hash and seq of the last one
 *   deleted and how many went, so `AuditLog.verify` checks the rest of the chain from there.
 *   Append-only, like the log.
 * - `audit_purge(cutoff, max_rows)`: deletes the oldest entries written before `cutoff` (a prefix
 *   of the chain, never a gap) and records the checkpoint, in one statement under the appenders'
 *   lock. The append-only trigger lets a DELETE through only inside it (a transaction-local flag).
 * - `audit_append` again, chaining onto the last checkpoint when every entry was purged.
 * - Partial indexes matching each purge's `where`, so a purge reads only what is due.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('retention_run')
    .addColumn('slot', 'timestamptz', (c) => c.primaryKey())
    .addColumn('started_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('finished_at', 'timestamptz')
    .addColumn('report', 'jsonb')
    .execute();

  await db.schema
    .createTable('audit_checkpoint')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('through_seq', 'bigint', (c) => c.notNull())
    .addColumn('last_hash', 'text', (c) => c.notNull())
    .addColumn('deleted', 'bigint', (c) => c.notNull())
    .addColumn('cutoff', 'timestamptz', (c) => c.notNull())
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create trigger audit_checkpoint_append_only before update or delete on audit_checkpoint
    for each row execute function audit_log_append_only()`.execute(db);

  await sql`create or replace function audit_log_append_only() returns trigger language plpgsql as $$
    begin
      if tg_op = 'DELETE' and tg_table_name = 'audit_log' and current_setting('passerelle.audit_purge', true) = 'on' then
        return old;
      end if;
      raise exception '% is append-only', tg_table_name;
    end $$`.execute(db);

  await sql`
    create function audit_purge(cutoff timestamptz, max_rows integer) returns integer language plpgsql as $$
    declare
      last_seq bigint;
      last_hash text;
      purged integer;
    begin
      perform pg_advisory_xact_lock(7402915118220077);
      -- The oldest entries, up to the first one written at or after the cutoff: a prefix.
      select p.seq, p.hash into last_seq, last_hash from (
        select a.seq, a.hash from audit_log a
        where a.seq < coalesce((select min(b.seq) from audit_log b where b.at >= cutoff), 9223372036854775807)
        order by a.seq limit max_rows) p
      order by p.seq desc limit 1;
      if last_seq is null then return 0; end if;
      perform set_config('passerelle.audit_purge', 'on', true);
      delete from audit_log where seq <= last_seq;
      get diagnostics purged = row_count;
      perform set_config('passerelle.audit_purge', 'off', true);
      insert into audit_checkpoint (through_seq, last_hash, deleted, cutoff) values (last_seq, last_hash, purged, cutoff);
      return purged;
    end $$`.execute(db);

  // As 0013, but a log purged to nothing chains onto its last checkpoint, not onto the genesis.
  await sql`
    create or replace function audit_append(entries jsonb) returns void language plpgsql as $$
    declare
      prev text;
      entry jsonb;
      at_text text;
      client uuid;
      next_hash text;
    begin
      perform pg_advisory_xact_lock(7402915118220077);
      select hash into prev from audit_log order by seq desc limit 1;
      if prev is null then
        select c.last_hash into prev from audit_checkpoint c order by c.id desc limit 1;
      end if;
      prev := coalesce(prev, repeat('0', 64));
      for entry in select value from jsonb_array_elements(entries) loop
        at_text := to_char(clock_timestamp() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"');
        client := (entry->>'clientId')::uuid;
        next_hash := encode(sha256(convert_to('[' || concat_ws(',',
          to_json(prev)::text, to_json(at_text)::text, to_json(entry->>'org')::text, to_json(entry->>'subject')::text,
          to_json(entry->>'action')::text, to_json(entry->>'resource')::text, to_json(entry->>'purpose')::text,
          coalesce(to_json(client::text)::text, 'null')) || ']', 'UTF8')), 'hex');
        insert into audit_log (at, org, subject, action, resource, purpose, client_id, prev_hash, hash)
        values (at_text::timestamptz, entry->>'org', entry->>'subject', entry->>'action', entry->>'resource', entry->>'purpose', client, prev, next_hash);
        prev := next_hash;
      end loop;
    end $$`.execute(db);

  await sql`create index audit_log_by_time on audit_log (at)`.execute(db);
  // Referrals still holding personal data, by when the ledger last changed them (closed ones are purged).
  await sql`create index referral_personal_by_change on referral (changed_at) where snapshot ? 'personal'`.execute(db);
  await sql`create index webhook_delivery_ended on webhook_delivery (completed_at) where state <> 'pending'`.execute(
    db,
  );
  await sql`create index idempotency_key_by_start on idempotency_key (started_at)`.execute(db);
  await sql`create index inbox_by_applied on inbox (applied_at)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const index of [
    'inbox_by_applied',
    'idempotency_key_by_start',
    'webhook_delivery_ended',
    'referral_personal_by_change',
    'audit_log_by_time',
  ])
    await sql`drop index ${sql.ref(index)}`.execute(db);
  await sql`drop function audit_purge(timestamptz, integer)`.execute(db);
  await sql`drop function audit_append(jsonb)`.execute(db);
  await auditAppend.up(db);
  await sql`create or replace function audit_log_append_only() returns trigger language plpgsql as $$
    begin raise exception 'audit_log is append-only'; end $$`.execute(db);
  await db.schema.dropTable('audit_checkpoint').execute();
  await db.schema.dropTable('retention_run').execute();
}
