import { AsyncLocalStorage } from 'node:async_hooks';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema';

interface Scope {
  trx: Transaction<Database>;
  beforeCommit: Array<(trx: Transaction<Database>) => Promise<void>>;
  committed: Array<() => void>;
}

const scope = new AsyncLocalStorage<Scope>();

/**
 * Runs `work` in one transaction that every `Inbox.applyOnce` inside it joins: a consumer applies
 * a whole Kafka batch (inbox rows, state, outbox) with one commit instead of one per event. If any
 * event fails, the whole batch rolls back; the consumer runner then retries event by event.
 * Work deferred with {@link beforeCommit} runs once `work` returned, still in the transaction.
 */
export async function inUnitOfWork<T>(db: Kysely<Database>, work: () => Promise<T>): Promise<T> {
  const committed: Array<() => void> = [];
  const result = await db.transaction().execute((trx) => {
    const current: Scope = { trx, beforeCommit: [], committed };
    return scope.run(current, async () => {
      const value = await work();
      // In registration order; a callback may defer more work, which runs after it.
      for (let next = 0; next < current.beforeCommit.length; next += 1) await current.beforeCommit[next](trx);
      return value;
    });
  });
  for (const callback of committed) callback();
  return result;
}

/** The transaction of the unit of work in progress, if any. */
export function ambientTransaction(): Transaction<Database> | undefined {
  return scope.getStore()?.trx;
}

/**
 * Runs `callback` in the unit of work's transaction after its work, just before the commit: a
 * handler that collects a batch's events applies them there, all at once. Throwing rolls the
 * whole unit back, as a failing event does. Only inside a unit of work (see ambientTransaction).
 */
export function beforeCommit(callback: (trx: Transaction<Database>) => Promise<void>): void {
  const current = scope.getStore();
  if (!current) throw new Error('beforeCommit needs a unit of work in progress (inUnitOfWork)');
  current.beforeCommit.push(callback);
}

/** Runs `callback` once the unit of work in progress committed (at once when there is none). */
export function afterCommit(callback: () => void): void {
  const current = scope.getStore();
  if (current) current.committed.push(callback);
  else callback();
}
