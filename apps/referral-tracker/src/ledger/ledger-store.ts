import { Injectable } from '@nestjs/common';
import { sql, type Transaction } from 'kysely';
import type { Referral } from '@passerelle/contracts';
import { readDateColumn, type Database } from '@passerelle/persistence';
import { LedgerBatch } from './ledger-batch';
import type { LedgerChanges } from './ledger-changes';
import { keySets, mergeKeys, uuidKey, type LedgerKeys } from './ledger-keys';
import {
  lockReferrals,
  selectConsents,
  selectOutcomes,
  selectParked,
  selectReferrals,
  selectSpells,
  selectSupports,
} from './ledger-reads';
import type { LoadedLedger, LoadedParkedEvent, LoadedReferral, ParkedEvent } from './ledger-rows';
import { writeLedgerChanges } from './ledger-writes';

type Trx = Transaction<Database>;

/**
 * The tracker's tables, a batch at a time: {@link load} locks and reads every row a batch of
 * events may touch (one statement per table), {@link write} writes what the batch changed (one
 * statement per table). Both run in the caller's transaction, the one that also holds the
 * batch's inbox rows.
 */
@Injectable()
export class LedgerStore {
  /**
   * Locks and loads the rows of `keys`. Referrals are serialized as the row-at-a-time ledger did:
   * an advisory lock per referral id asked for (taken in id order, in one statement; it holds
   * even before the row exists, so recording a referral and parking an event for it never
   * interleave), and FOR UPDATE on every referral row read. Events parked for those referrals
   * are loaded too, and the rows they in turn read (`keysOfParked`).
   */
  async load(trx: Trx, keys: LedgerKeys, keysOfParked: (event: ParkedEvent) => LedgerKeys): Promise<LedgerBatch> {
    const scope = keySets();
    const referrals = new Map<string, LoadedReferral>();
    const parked: LoadedParkedEvent[] = [];
    const parkedLoaded = new Set<string>();
    const addKeys = (k: LedgerKeys): void => {
      for (const id of k.consentIds) scope.consentIds.add(uuidKey(id));
      for (const id of k.spellIds) scope.spellIds.add(uuidKey(id));
      for (const id of k.outcomeClients) scope.outcomeClients.add(uuidKey(id));
      for (const id of k.supportClients) scope.supportClients.add(uuidKey(id));
    };

    let pending: LedgerKeys = keys;
    for (;;) {
      addKeys(pending);
      const ids = [...new Set([...pending.referralIds].map(uuidKey))].filter((id) => !scope.referralIds.has(id)).sort();
      const clients = [...new Set([...pending.clientReferrals].map(uuidKey))]
        .filter((id) => !scope.clientReferrals.has(id))
        .sort();
      if (ids.length === 0 && clients.length === 0) break;
      if (ids.length > 0) await lockReferrals(trx, ids);
      for (const row of await selectReferrals(trx, ids, clients))
        if (!referrals.has(row.referralId)) referrals.set(row.referralId, row);
      for (const id of ids) scope.referralIds.add(id);
      for (const id of clients) scope.clientReferrals.add(id);

      const parkFor = [...new Set([...ids, ...referrals.keys()])].filter((id) => !parkedLoaded.has(id));
      const found = parkFor.length === 0 ? [] : await selectParked(trx, parkFor);
      for (const id of parkFor) parkedLoaded.add(id);
      parked.push(...found);
      // What the parked events will read once applied (their referral is loaded already, as a rule).
      pending = mergeKeys(found.map((p) => keysOfParked(p)));
    }

    for (const r of referrals.values()) scope.consentIds.add(r.consentId);
    const loaded: LoadedLedger = {
      scope,
      referrals: [...referrals.values()],
      parked,
      consents: await selectConsents(trx, [...scope.consentIds]),
      spells: await selectSpells(trx, [...scope.spellIds]),
      outcomes: await selectOutcomes(trx, [...scope.outcomeClients]),
      supports: await selectSupports(trx, [...scope.supportClients]),
    };
    return new LedgerBatch(loaded, readDateColumn);
  }

  /** A batch with nothing loaded: for work that only writes (history, outbox). */
  emptyBatch(): LedgerBatch {
    return LedgerBatch.empty(readDateColumn);
  }

  /** Writes a batch's changes: one statement per table (per 1,000 rows), rows in the order they arose. */
  async write(trx: Trx, changes: LedgerChanges): Promise<void> {
    await writeLedgerChanges(trx, changes);
  }

  /**
   * Each referral if nobody else holds it right now (`busy` otherwise; absent: no such referral),
   * with three statements for all of them: for timers, which hold timer rows and must not wait
   * on an event's transaction that may want those rows. Keys are the ids in lower case.
   */
  async referralsIfFree(trx: Trx, referralIds: readonly string[]): Promise<Map<string, Referral | 'busy'>> {
    const found = new Map<string, Referral | 'busy'>();
    const ids = [...new Set(referralIds.map(uuidKey))];
    if (ids.length === 0) return found;
    const { rows: tries } = await sql<{ id: string; locked: boolean }>`
      select id, pg_try_advisory_xact_lock(hashtextextended(id, 0)) as locked from unnest(${ids}::text[]) as id`.execute(
      trx,
    );
    const free = tries.filter((t) => t.locked).map((t) => t.id);
    for (const t of tries) if (!t.locked) found.set(t.id, 'busy');
    if (free.length === 0) return found;
    const { rows } = await sql<{ referral_id: string; snapshot: Referral }>`
      select referral_id, snapshot from referral where referral_id = any(${free}::uuid[]) for update skip locked`.execute(
      trx,
    );
    for (const row of rows) found.set(row.referral_id, row.snapshot);
    // Not returned: absent, or its row is locked by another transaction.
    const unseen = free.filter((id) => !found.has(id));
    if (unseen.length > 0) {
      const { rows: existing } = await sql<{
        referral_id: string;
      }>`select referral_id from referral where referral_id = any(${unseen}::uuid[])`.execute(trx);
      for (const row of existing) found.set(row.referral_id, 'busy');
    }
    return found;
  }
}
