import { createHash } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import { nameBasedUuid, unambiguousName } from '@passerelle/contracts';
import {
  ClientLinkConflicts,
  conflictIdOf,
  pairKey,
  type ConflictDecision,
  type ConflictIdentity,
  type ConflictPageQuery,
  type ConflictResolution,
  type LinkConflict,
  type LinkOrigin,
  type LinkTables,
} from './client-link-conflicts';

/** One identifier of a person in a source system. */
export interface SourceIdentity {
  /** e.g. `sams`, `odsp`, `cams` */
  system: string;
  id: string;
}

export type LinkResolution =
  | {
      outcome: 'linked';
      clientId: string;
      /** The client did not exist before this record. */
      created: boolean;
      /** Source ids this call attached to the client (empty when all were known). */
      newLinks: SourceIdentity[];
    }
  | {
      /**
       * The record's ids belong to different clients: a person must decide, no link was changed
       * (the conflict is kept, when the record's origin was given, for those involved to resolve).
       */
      outcome: 'conflict';
      candidates: Array<{ clientId: string; identities: SourceIdentity[] }>;
    };

/**
 * Durable identity links: one canonical `clientId` per person across SAMS, ODSP and CaMS ids.
 * Safe under concurrent adapters: every resolution takes transaction-scoped advisory locks on
 * the identities it touches (in a fixed order, so two resolutions never deadlock), and a new
 * client's id is derived from the identity that founded it, so a retried record gets the same id.
 * A conflict is kept (`client_link_conflict`) in the transaction that found it, with the
 * organizations whose records linked the ids involved; a person of one of them links the two
 * (`resolveConflict`: the ids move to the chosen client) or keeps them apart (records naming
 * both then belong to the client of their first linked id, and no conflict is raised again).
 */
export class ClientLinkRegistry {
  private readonly conflicts: ClientLinkConflicts;

  constructor(private readonly db: Kysely<LinkTables>) {
    this.conflicts = new ClientLinkConflicts(db);
  }

  async resolve(
    identities: SourceIdentity[],
    trx?: Transaction<LinkTables>,
    origin?: LinkOrigin,
  ): Promise<LinkResolution> {
    const [resolution] = await this.resolveMany([identities], trx, origin && [origin]);
    return resolution;
  }

  /**
   * Resolves the identities of several records (one list per record, in record order) in one
   * transaction: one lock statement, one lookup, one insert, however many records. A record sees
   * the links the records before it in the list made, exactly as if each had been resolved alone.
   * `origins` (one per record): who linked, and where the conflicts come from.
   */
  async resolveMany(
    records: SourceIdentity[][],
    trx?: Transaction<LinkTables>,
    origins?: LinkOrigin[],
  ): Promise<LinkResolution[]> {
    const lists = records.map(dedupe);
    if (lists.some((list) => list.length === 0))
      throw new Error('a record needs at least one source identity to be linked');
    if (origins !== undefined && origins.length !== records.length)
      throw new Error(`${origins.length} origins for ${records.length} records`);
    if (lists.length === 0) return [];
    const batch = { records, lists, origins };
    if (trx) return this.resolveIn(trx, batch);
    return this.db.transaction().execute((t) => this.resolveIn(t, batch));
  }

  /** A conflict `org` is involved in. */
  conflictOf(org: string, conflictId: string): Promise<LinkConflict | undefined> {
    return this.conflicts.find(org, conflictId);
  }

  /** A page of the conflicts `org` is involved in, newest first. */
  conflictsOf(org: string, query: ConflictPageQuery): Promise<{ conflicts: LinkConflict[]; more: boolean }> {
    return this.conflicts.page(org, query);
  }

  /**
   * A person's decision on a conflict, once: `linked` moves the ids in conflict that point at the
   * other client to the chosen one (`decision.clientId`, one of the two), so the records that carry
   * them resolve to it from now on; `kept-apart` keeps every link and stops the pair from
   * conflicting again. The caller checks who may decide and that the client is one of the two.
   */
  async resolveConflict(conflictId: string, decision: ConflictDecision, by: string): Promise<ConflictResolution> {
    return this.db.transaction().execute(async (trx) => {
      const conflict = await this.conflicts.lock(trx, conflictId);
      if (!conflict) return { outcome: 'not-found' };
      if (conflict.resolution !== null) return { outcome: 'already-resolved', conflict };
      if (decision.resolution === 'linked') {
        const moving = conflict.identities.filter((i) => i.clientId !== decision.clientId);
        await this.lock(trx, moving);
        for (const identity of moving) {
          await trx
            .updateTable('client_link')
            .set({ client_id: decision.clientId, linked_by: by })
            .where('source_system', '=', identity.system)
            .where('source_id', '=', identity.id)
            .where('client_id', '=', identity.clientId)
            .execute();
        }
      }
      return { outcome: 'resolved', conflict: await this.conflicts.markResolved(trx, conflictId, decision, by) };
    });
  }

  /** Every source id known for a client. */
  async identitiesOf(clientId: string): Promise<SourceIdentity[]> {
    const rows = await this.db
      .selectFrom('client_link')
      .select(['source_system', 'source_id'])
      .where('client_id', '=', clientId)
      .orderBy('source_system')
      .orderBy('source_id')
      .execute();
    return rows.map((r) => ({ system: r.source_system, id: r.source_id }));
  }

  private async resolveIn(trx: Transaction<LinkTables>, batch: ResolutionBatch): Promise<LinkResolution[]> {
    const all = dedupe(batch.lists.flat());
    await this.lock(trx, all);
    const found = await sql<FoundLink>`
      select l.source_system, l.source_id, l.client_id, l.linked_by
      from client_link l
      join unnest(${all.map((i) => i.system)}::text[], ${all.map((i) => i.id)}::text[]) as wanted(system, id)
        on l.source_system = wanted.system and l.source_id = wanted.id`.execute(trx);
    // Kept-apart decisions matter only to a record whose ids point at two clients: looked up then,
    // and the batch planned again with them (new links only point at clients found here or new).
    let plan = planLinks(batch, found.rows, new Set());
    if (plan.resolutions.some((r) => r.outcome === 'conflict')) {
      const keptApart = await this.conflicts.keptApart(trx, [...new Set(found.rows.map((r) => r.client_id))]);
      if (keptApart.size > 0) plan = planLinks(batch, found.rows, keptApart);
    }
    const { inserts, conflicts, resolutions } = plan;
    for (let at = 0; at < inserts.length; at += INSERT_CHUNK) {
      await trx
        .insertInto('client_link')
        .values(inserts.slice(at, at + INSERT_CHUNK))
        .execute();
    }
    await this.conflicts.record(trx, conflicts);
    return resolutions;
  }

  /** Advisory locks in one global order (unnest keeps array order), so concurrent resolutions never deadlock. */
  private async lock(trx: Transaction<LinkTables>, identities: SourceIdentity[]): Promise<void> {
    if (identities.length === 0) return;
    const keys = dedupe(identities).map(lockKey);
    await sql`select pg_advisory_xact_lock(k) from unnest(${keys}::bigint[]) as k`.execute(trx);
  }
}

/** A found link row. */
interface FoundLink {
  source_system: string;
  source_id: string;
  client_id: string;
  linked_by: string | null;
}

/**
 * Resolves a batch's records in memory against the links found, in record order (a record sees the
 * links the records before it made): what to insert, which conflicts to keep, each record's answer.
 */
function planLinks(batch: ResolutionBatch, rows: FoundLink[], keptApart: Set<string>) {
  const { records, lists, origins } = batch;
  const owner = new Map(rows.map((r) => [identityKey({ system: r.source_system, id: r.source_id }), r.client_id]));
  const linkedBy = new Map(rows.map((r) => [identityKey({ system: r.source_system, id: r.source_id }), r.linked_by]));
  const inserts: Array<{ source_system: string; source_id: string; client_id: string; linked_by: string | null }> = [];
  const conflicts: Parameters<ClientLinkConflicts['record']>[1] = [];
  const resolutions = lists.map((identities, n): LinkResolution => {
    const origin = origins?.[n];
    const known = identities.flatMap((i) => {
      const clientId = owner.get(identityKey(i));
      return clientId === undefined ? [] : [{ identity: i, clientId }];
    });
    const clients = [...new Set(known.map((k) => k.clientId))].sort();
    const [kept, ...others] = clients;
    const undecided = others.filter((other) => !keptApart.has(pairKey(kept, other)));
    if (undecided.length > 0) {
      if (origin) conflicts.push(...undecided.map((other) => conflictRow(kept, other, known, origin, linkedBy)));
      return {
        outcome: 'conflict',
        candidates: clients.map((clientId) => ({
          clientId,
          identities: known.filter((k) => k.clientId === clientId).map((k) => k.identity),
        })),
      };
    }
    const created = clients.length === 0;
    // Clients kept apart: the record is the client of its first linked id, in the record's own order.
    const firstKnown = records[n].find((i) => owner.has(identityKey(i)));
    const clientId = created
      ? clientIdFor(identities[0])
      : (owner.get(identityKey(firstKnown ?? known[0].identity)) ?? kept);
    const newLinks = identities.filter((i) => !owner.has(identityKey(i)));
    for (const link of newLinks) {
      owner.set(identityKey(link), clientId);
      linkedBy.set(identityKey(link), origin?.org ?? null);
      inserts.push({
        source_system: link.system,
        source_id: link.id,
        client_id: clientId,
        linked_by: origin?.org ?? null,
      });
    }
    return { outcome: 'linked', clientId, created, newLinks };
  });
  return { inserts, conflicts, resolutions };
}

interface ResolutionBatch {
  /** Each record's identities as given (the record's own id first). */
  records: SourceIdentity[][];
  /** The same, deduplicated and in lock order. */
  lists: SourceIdentity[][];
  origins?: LinkOrigin[];
}

/** The conflict of a record between two of the clients its ids point at. */
function conflictRow(
  clientId: string,
  conflictingClientId: string,
  known: Array<{ identity: SourceIdentity; clientId: string }>,
  origin: LinkOrigin,
  linkedBy: Map<string, string | null>,
): Parameters<ClientLinkConflicts['record']>[1][number] {
  const identities: ConflictIdentity[] = known
    .filter((k) => k.clientId === clientId || k.clientId === conflictingClientId)
    .map((k) => ({ system: k.identity.system, id: k.identity.id, clientId: k.clientId }));
  const orgs = identities.flatMap((i) => linkedBy.get(identityKey(i)) ?? []);
  return {
    conflictId: conflictIdOf(clientId, conflictingClientId, identities),
    involvedOrgs: [...new Set(orgs)].sort(),
    clientId,
    conflictingClientId,
    identities,
    source: { system: origin.system, recordId: origin.recordId },
    detectedAt: origin.recordedAt,
  };
}

/** Rows per insert statement: 4 parameters each, well under PostgreSQL's 65,535. */
const INSERT_CHUNK = 5_000;

const identityKey = (identity: SourceIdentity): string => `${identity.system}|${identity.id}`;

/** Namespace of client ids (fixed random bytes: changing it would re-identify every client). */
const CLIENT_NAMESPACE = Buffer.from('9b1f4c2e7a6d4e0f8c3b5a2d1e0f9c8b', 'hex');

/** A new client's id, derived from the identity that founded it (stable across retries). */
export function clientIdFor(identity: SourceIdentity): string {
  return nameBasedUuid(CLIENT_NAMESPACE, unambiguousName([identity.system, identity.id]));
}

function lockKey(identity: SourceIdentity): string {
  // 63-bit key from the identity; collisions only serialize two unrelated resolutions.
  return BigInt.asIntN(
    64,
    BigInt(`0x${createHash('sha1').update(`${identity.system}|${identity.id}`).digest('hex').slice(0, 16)}`),
  ).toString();
}

function dedupe(identities: SourceIdentity[]): SourceIdentity[] {
  const seen = new Map<string, SourceIdentity>();
  for (const i of identities) {
    if (!i.system || !i.id) throw new Error(`incomplete source identity ${JSON.stringify(i)}`);
    seen.set(identityKey(i), i);
  }
  // Fixed lock order (numeric key order): two resolutions sharing identities lock in the same order.
  return [...seen.values()]
    .map((identity) => ({ identity, key: BigInt(lockKey(identity)) }))
    .sort((a, b) =>
      a.key < b.key ? -1 : a.key > b.key ? 1 : identityKey(a.identity).localeCompare(identityKey(b.identity)),
    )
    .map(({ identity }) => identity);
}

/** The client a record with these ids founds when none of them is linked yet (the one `resolve` creates). */
export function founderClientId(identities: SourceIdentity[]): string {
  return clientIdFor(dedupe(identities)[0]);
}
