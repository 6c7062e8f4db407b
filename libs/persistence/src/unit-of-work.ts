import { AsyncLocalStorage } from 'node:async_hooks';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema';

interface Scope {
  trx: Transaction<Database>;
  committed: Array<() => void>;
}

const scope = new AsyncLocalStorage<Scope>();

/**
 * Runs `work` in one transaction that every `Inbox.applyOnce` inside it joins: a consumer applies
 * a whole Kafka batch (inbox rows, state, outbox) with one commit instead of one per event. If any
 * event fails, the whole batch rolls back; the consumer runner then retries event by event.
 */
export async function inUnitOfWork<T>(db: Kysely<Database>, work: () => Promise<T>): Promise<T> {
  const committed: Array<() => void> = [];
  const result = await db.transaction().execute((trx) => scope.run({ trx, committed }, work));
  for (const callback of committed) callback();
  return result;
}

/** The transaction of the unit of work in progress, if any. */
export function ambientTransaction(): Transaction<Database> | undefined {
  return scope.getStore()?.trx;
}

/** Runs `callback` once the unit of work in progress committed (at once when there is none). */
export function afterCommit(callback: () => void): void {
  const current = scope.getStore();
  if (current) current.committed.push(callback);
  else callback();
}
