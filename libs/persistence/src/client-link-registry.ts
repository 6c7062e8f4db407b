import { createHash } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import { nameBasedUuid, unambiguousName } from '@passerelle/contracts';
import type { Database } from './schema';

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
      /** The record's ids belong to different clients: a person must decide, nothing was changed. */
      outcome: 'conflict';
      candidates: Array<{ clientId: string; identities: SourceIdentity[] }>;
    };

/**
 * Durable identity links: one canonical `clientId` per person across SAMS, ODSP and CaMS ids.
 * Safe under concurrent adapters: every resolution takes transaction-scoped advisory locks on
 * the identities it touches (in a fixed order, so two resolutions never deadlock), and a new
 * client's id is derived from the identity that founded it, so a retried record gets the same id.
 */
export class ClientLinkRegistry {
  constructor(private readonly db: Kysely<Database>) {}

  async resolve(identities: SourceIdentity[], trx?: Transaction<Database>): Promise<LinkResolution> {
    const [resolution] = await this.resolveMany([identities], trx);
    return resolution;
  }

  /**
   * Resolves the identities of several records (one list per record, in record order) in one
   * transaction: one lock statement, one lookup, one insert, however many records. A record sees
   * the links the records before it in the list made, exactly as if each had been resolved alone.
   */
  async resolveMany(records: SourceIdentity[][], trx?: Transaction<Database>): Promise<LinkResolution[]> {
    const lists = records.map(dedupe);
    if (lists.some((list) => list.length === 0))
      throw new Error('a record needs at least one source identity to be linked');
    if (lists.length === 0) return [];
    if (trx) return this.resolveIn(trx, lists);
    return this.db.transaction().execute((t) => this.resolveIn(t, lists));
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

  private async resolveIn(trx: Transaction<Database>, lists: SourceIdentity[][]): Promise<LinkResolution[]> {
    const all = dedupe(lists.flat());
    // Locks in one global order (unnest keeps array order), so concurrent resolutions never deadlock.
    await sql`select pg_advisory_xact_lock(k) from unnest(${all.map(lockKey)}::bigint[]) as k`.execute(trx);
    const found = await sql<{ source_system: string; source_id: string; client_id: string }>`
      select l.source_system, l.source_id, l.client_id
      from client_link l
      join unnest(${all.map((i) => i.system)}::text[], ${all.map((i) => i.id)}::text[]) as wanted(system, id)
        on l.source_system = wanted.system and l.source_id = wanted.id`.execute(trx);
    const owner = new Map(
      found.rows.map((r) => [identityKey({ system: r.source_system, id: r.source_id }), r.client_id]),
    );

    const inserts: Array<{ source_system: string; source_id: string; client_id: string }> = [];
    const resolutions = lists.map((identities): LinkResolution => {
      const known = identities.flatMap((i) => {
        const clientId = owner.get(identityKey(i));
        return clientId === undefined ? [] : [{ identity: i, clientId }];
      });
      const clients = [...new Set(known.map((k) => k.clientId))].sort();
      if (clients.length > 1) {
        return {
          outcome: 'conflict',
          candidates: clients.map((clientId) => ({
            clientId,
            identities: known.filter((k) => k.clientId === clientId).map((k) => k.identity),
          })),
        };
      }
      const created = clients.length === 0;
      const clientId = created ? clientIdFor(identities[0]) : clients[0];
      const newLinks = identities.filter((i) => !owner.has(identityKey(i)));
      for (const link of newLinks) {
        owner.set(identityKey(link), clientId);
        inserts.push({ source_system: link.system, source_id: link.id, client_id: clientId });
      }
      return { outcome: 'linked', clientId, created, newLinks };
    });
    for (let at = 0; at < inserts.length; at += INSERT_CHUNK) {
      await trx
        .insertInto('client_link')
        .values(inserts.slice(at, at + INSERT_CHUNK))
        .execute();
    }
    return resolutions;
  }
}

/** Rows per insert statement: 3 parameters each, well under PostgreSQL's 65,535. */
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
