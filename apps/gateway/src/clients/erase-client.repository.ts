import { Inject, Injectable } from '@nestjs/common';
import type { Kysely } from 'kysely';
import { purgeClientPersonalData, type DatabaseHandle, type GatewayDatabase } from '@passerelle/persistence';
import { DATABASE } from '../tokens';

/** The SQL of client erasure: who may erase a client, and the purge of its personal data from the ledger and links. */
@Injectable()
export class ClientErasureRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle<GatewayDatabase>) {}

  /** Whether `referrer` made a referral about the client (the organizations that hold its consent). */
  async referredBy(referrer: string, clientId: string): Promise<boolean> {
    const row = await this.database.db
      .selectFrom('referral')
      .select('referral_id')
      .where('client_id', '=', clientId)
      .where('referrer', '=', referrer)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Drops the client's personal data from the ledger snapshots, parked events and source-id links. */
  async purge(clientId: string): Promise<void> {
    await this.database.db
      .transaction()
      .execute((trx) => purgeClientPersonalData(trx as unknown as Kysely<unknown>, clientId));
  }
}
