import { Inject, Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import {
  founderClientId,
  type DatabaseHandle,
  type GatewayDatabase,
  type SourceIdentity,
} from '@passerelle/persistence';
import { DATABASE } from '../tokens';

/**
 * Which client a raw record is about, before the adapter links it: the client one of its source
 * ids is already linked to (`client_link`, the adapters' table, read only), else the one the
 * record will found (the id the adapter derives the same way). The gateway seals the record's
 * `personal` with that client's data key, so erasing the client shreds the raw copy too.
 */
@Injectable()
export class RawRecordClients {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle<GatewayDatabase>) {}

  async clientIdsOf(records: readonly SourceIdentity[][]): Promise<string[]> {
    const all = records.flat();
    if (all.length === 0) return [];
    const found = await sql<{ source_system: string; source_id: string; client_id: string }>`
      select l.source_system, l.source_id, l.client_id
      from client_link l
      join unnest(${all.map((i) => i.system)}::text[], ${all.map((i) => i.id)}::text[]) as wanted(system, id)
        on l.source_system = wanted.system and l.source_id = wanted.id`.execute(this.database.db);
    const owner = new Map(found.rows.map((r) => [`${r.source_system}|${r.source_id}`, r.client_id]));
    return records.map((ids) => {
      const linked = ids.map((i) => owner.get(`${i.system}|${i.id}`)).find((c) => c !== undefined);
      return linked ?? founderClientId(ids);
    });
  }
}
