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
    const unique = dedupe(identities);
    if (unique.length === 0) throw new Error('a record needs at least one source identity to be linked');
    if (trx) return this.resolveIn(trx, unique);
    return this.db.transaction().execute((t) => this.resolveIn(t, unique));
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

  private async resolveIn(trx: Transaction<Database>, identities: SourceIdentity[]): Promise<LinkResolution> {
    for (const identity of identities) {
      await sql`select pg_advisory_xact_lock(${lockKey(identity)})`.execute(trx);
    }
    const known = await trx
      .selectFrom('client_link')
      .select(['source_system', 'source_id', 'client_id'])
      .where((eb) =>
        eb.or(identities.map((i) => eb.and([eb('source_system', '=', i.system), eb('source_id', '=', i.id)]))),
      )
      .execute();
    const clients = [...new Set(known.map((k) => k.client_id))].sort();
    if (clients.length > 1) {
      return {
        outcome: 'conflict',
        candidates: clients.map((clientId) => ({
          clientId,
          identities: known.filter((k) => k.client_id === clientId).map((k) => ({ system: k.source_system, id: k.source_id })),
        })),
      };
    }
    const created = clients.length === 0;
    const clientId = created ? clientIdFor(identities[0]) : clients[0];
    const isKnown = (i: SourceIdentity): boolean => known.some((k) => k.source_system === i.system && k.source_id === i.id);
    const newLinks = identities.filter((i) => !isKnown(i));
    if (newLinks.length > 0) {
      await trx
        .insertInto('client_link')
        .values(newLinks.map((i) => ({ source_system: i.system, source_id: i.id, client_id: clientId })))
        .execute();
    }
    return { outcome: 'linked', clientId, created, newLinks };
  }
}

/** Namespace of client ids (fixed random bytes: changing it would re-identify every client). */
const CLIENT_NAMESPACE = Buffer.from('9b1f4c2e7a6d4e0f8c3b5a2d1e0f9c8b', 'hex');

/** A new client's id, derived from the identity that founded it (stable across retries). */
export function clientIdFor(identity: SourceIdentity): string {
  return nameBasedUuid(CLIENT_NAMESPACE, unambiguousName([identity.system, identity.id]));
}

function lockKey(identity: SourceIdentity): string {
  // 63-bit key from the identity; collisions only serialize two unrelated resolutions.
  return BigInt.asIntN(64, BigInt(`0x${createHash('sha1').update(`${identity.system}|${identity.id}`).digest('hex').slice(0, 16)}`)).toString();
}

function dedupe(identities: SourceIdentity[]): SourceIdentity[] {
  const seen = new Map<string, SourceIdentity>();
  for (const i of identities) {
    if (!i.system || !i.id) throw new Error(`incomplete source identity ${JSON.stringify(i)}`);
    seen.set(`${i.system}|${i.id}`, i);
  }
  // Fixed lock order: two resolutions sharing identities take their locks in the same order.
  return [...seen.values()].sort((a, b) => lockKey(a).localeCompare(lockKey(b)) || `${a.system}|${a.id}`.localeCompare(`${b.system}|${b.id}`));
}
