import type { ColumnType } from 'kysely';

/** Tables of the Passerelle schema, for kysely's typed queries. Grows with each migration. */
export interface Database {
  inbox: InboxTable;
  client_link: ClientLinkTable;
}

export interface ClientLinkTable {
  source_system: string;
  source_id: string;
  client_id: string;
  linked_at: ColumnType<Date, never, never>;
}

export interface InboxTable {
  /** Which consumer applied the event (an event may matter to several). */
  consumer: string;
  /** The CloudEvent `ce_id`: deterministic, so a redelivered or replayed event is recognized. */
  event_id: string;
  event_type: string;
  topic: string;
  partition: number;
  offset: string;
  applied_at: ColumnType<Date, never, never>;
}
