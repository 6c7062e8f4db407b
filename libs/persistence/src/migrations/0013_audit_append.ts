import { sql, type Kysely } from 'kysely';

/**
 * `audit_append(entries jsonb)`: a whole group of audit entries chained and inserted in one
 * statement (one round trip, where the client-side chain took five: begin, lock, read the chain's
 * end, insert, commit). The hash is the one `AuditLog.verify` recomputes: SHA-256 of the JSON
 * array [prev_hash, at, org, subject, action, resource, purpose, client_id], written as
 * JavaScript's JSON.stringify writes it (PostgreSQL's to_json escapes strings the same way).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create function audit_append(entries jsonb) returns void language plpgsql as $$
    declare
      prev text;
      entry jsonb;
      at_text text;
      client uuid;
      next_hash text;
    begin
      -- One appender at a time: each row chains onto the one before it (the lock ends with the transaction).
      perform pg_advisory_xact_lock(7402915118220077);
      select hash into prev from audit_log order by seq desc limit 1;
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
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop function audit_append(jsonb)`.execute(db);
}
