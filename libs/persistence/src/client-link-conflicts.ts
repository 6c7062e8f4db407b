import { sql, type Kysely, type Transaction } from 'kysely';
import { nameBasedUuid, unambiguousName } from '@passerelle/contracts';
import type { AdapterTables } from './schema';

/** One source id of a record in conflict, and the client it pointed at. */
export interface ConflictIdentity {
  system: string;
  id: string;
  clientId: string;
}

/** Where a record came from: whose it is, which one, when. Kept with the links and conflicts it makes. */
export interface LinkOrigin {
  /** Organization whose record it is (`ow:toronto`, `eo:provider-123`). */
  org: string;
  /** Source system of the record (`sams`, `odsp`, `cams`). */
  system: string;
  recordId: string;
  /** Time of the record (its `recordedAt`). */
  recordedAt: string;
}

/** A record whose ids point at two clients, as kept until a person resolves it. */
export interface LinkConflict {
  conflictId: string;
  /** Organizations whose records linked the ids in conflict: those who may see and resolve it. */
  involvedOrgs: string[];
  clientId: string;
  conflictingClientId: string;
  identities: ConflictIdentity[];
  source: { system: string; recordId: string };
  /** ISO 8601 in UTC, to the microsecond (what the page cursor compares). */
  detectedAt: string;
  resolution: 'linked' | 'kept-apart' | null;
  resolvedTo: string | null;
  resolvedBy: string | null;
  resolvedAt: Date | null;
}

/** How a person resolves a conflict: one client (its ids attached to the chosen one), or two people. */
export type ConflictDecision = { resolution: 'linked'; clientId: string } | { resolution: 'kept-apart' };

export type ConflictResolution =
  | { outcome: 'resolved'; conflict: LinkConflict }
  | { outcome: 'not-found' }
  | { outcome: 'already-resolved'; conflict: LinkConflict };

/** A page of an organization's conflicts, newest first, after `cursor` (the last one of the previous page). */
export interface ConflictPageQuery {
  open?: boolean;
  cursor?: { detectedAt: string; conflictId: string };
  limit: number;
}

export type LinkTables = AdapterTables;
type Trx = Transaction<LinkTables>;

/** Namespace of conflict ids (fixed: changing it would raise every open conflict again). */
const CONFLICT_NAMESPACE = Buffer.from('4e8a1d6c2b9f47e3a05c7d1e2f3b4a69', 'hex');

/** A conflict's id: the two clients and the ids in conflict, so the same record raises it once. */
export function conflictIdOf(clientId: string, conflictingClientId: string, identities: ConflictIdentity[]): string {
  const ids = identities.map((i) => `${i.system}|${i.id}`).sort();
  return nameBasedUuid(CONFLICT_NAMESPACE, unambiguousName(['link-conflict', clientId, conflictingClientId, ...ids]));
}

/** The pair of clients as conflicts store it (lower id first): the key of "kept apart". */
export const pairKey = (a: string, b: string): string => (a < b ? `${a}|${b}` : `${b}|${a}`);

/** The SQL of link conflicts; `ClientLinkRegistry` records and resolves them in its transactions. */
export class ClientLinkConflicts {
  constructor(private readonly db: Kysely<LinkTables>) {}

  /** Pairs of these clients a person decided to keep apart (`pairKey`s). */
  async keptApart(trx: Trx, clientIds: string[]): Promise<Set<string>> {
    if (clientIds.length < 2) return new Set();
    const rows = await trx
      .selectFrom('client_link_conflict')
      .select(['client_id', 'conflicting_client_id'])
      .where('resolution', '=', 'kept-apart')
      .where('client_id', 'in', clientIds)
      .where('conflicting_client_id', 'in', clientIds)
      .execute();
    return new Set(rows.map((r) => pairKey(r.client_id, r.conflicting_client_id)));
  }

  /** Keeps new conflicts (one already kept stays as it is, open or resolved). */
  async record(
    trx: Trx,
    conflicts: Array<Omit<LinkConflict, 'resolution' | 'resolvedTo' | 'resolvedBy' | 'resolvedAt'>>,
  ) {
    if (conflicts.length === 0) return;
    await trx
      .insertInto('client_link_conflict')
      .values(
        conflicts.map((c) => ({
          conflict_id: c.conflictId,
          involved_orgs: c.involvedOrgs,
          client_id: c.clientId,
          conflicting_client_id: c.conflictingClientId,
          identities: JSON.stringify(c.identities),
          source_system: c.source.system,
          source_record_id: c.source.recordId,
          detected_at: c.detectedAt,
        })),
      )
      .onConflict((oc) => oc.column('conflict_id').doNothing())
      .execute();
  }

  /** A conflict `org` is involved in. */
  async find(org: string, conflictId: string): Promise<LinkConflict | undefined> {
    const row = await this.select(this.db)
      .where('conflict_id', '=', conflictId)
      .where(sql<boolean>`involved_orgs @> array[${org}]::text[]`)
      .executeTakeFirst();
    return row && conflictOf(row);
  }

  /** `org`'s conflicts, newest first, keyset-paged on (detected_at, conflict_id). */
  async page(org: string, query: ConflictPageQuery): Promise<{ conflicts: LinkConflict[]; more: boolean }> {
    let select = this.select(this.db).where(sql<boolean>`involved_orgs @> array[${org}]::text[]`);
    if (query.open !== undefined) select = select.where('resolution', query.open ? 'is' : 'is not', null);
    if (query.cursor)
      select = select.where(
        sql<boolean>`(detected_at, conflict_id) < (${query.cursor.detectedAt}::timestamptz, ${query.cursor.conflictId}::uuid)`,
      );
    const rows = await select
      .orderBy('detected_at', 'desc')
      .orderBy('conflict_id', 'desc')
      .limit(query.limit + 1)
      .execute();
    return { conflicts: rows.slice(0, query.limit).map(conflictOf), more: rows.length > query.limit };
  }

  /** The conflict, locked for its resolution. */
  async lock(trx: Trx, conflictId: string): Promise<LinkConflict | undefined> {
    const row = await this.select(trx).where('conflict_id', '=', conflictId).forUpdate().executeTakeFirst();
    return row && conflictOf(row);
  }

  async markResolved(trx: Trx, conflictId: string, decision: ConflictDecision, by: string): Promise<LinkConflict> {
    await trx
      .updateTable('client_link_conflict')
      .set({
        resolution: decision.resolution,
        resolved_to: decision.resolution === 'linked' ? decision.clientId : null,
        resolved_by: by,
        resolved_at: sql<string>`now()`,
      })
      .where('conflict_id', '=', conflictId)
      .execute();
    const row = await this.select(trx).where('conflict_id', '=', conflictId).executeTakeFirstOrThrow();
    return conflictOf(row);
  }

  private select(db: Kysely<LinkTables>) {
    return db
      .selectFrom('client_link_conflict')
      .select([
        'conflict_id',
        'involved_orgs',
        'client_id',
        'conflicting_client_id',
        'identities',
        'source_system',
        'source_record_id',
        sql<string>`to_char(detected_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as('detected'),
        'resolution',
        'resolved_to',
        'resolved_by',
        'resolved_at',
      ]);
  }
}

interface ConflictRow {
  conflict_id: string;
  involved_orgs: string[];
  client_id: string;
  conflicting_client_id: string;
  identities: unknown;
  source_system: string;
  source_record_id: string;
  detected: string;
  resolution: string | null;
  resolved_to: string | null;
  resolved_by: string | null;
  resolved_at: Date | null;
}

function conflictOf(row: ConflictRow): LinkConflict {
  return {
    conflictId: row.conflict_id,
    involvedOrgs: row.involved_orgs,
    clientId: row.client_id,
    conflictingClientId: row.conflicting_client_id,
    identities: row.identities as ConflictIdentity[],
    source: { system: row.source_system, recordId: row.source_record_id },
    detectedAt: row.detected,
    resolution: row.resolution as LinkConflict['resolution'],
    resolvedTo: row.resolved_to,
    resolvedBy: row.resolved_by,
    resolvedAt: row.resolved_at,
  };
}
