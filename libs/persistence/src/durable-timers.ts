import { sql, type Kysely, type Transaction } from 'kysely';
import { insertRows } from './multi-row-insert';
import { PollingLoop, type LoopFailureHandlers } from './polling-loop';
import type { Database } from './schema';

export interface TimerSpec {
  /** Unique per purpose (`overdue:<referralId>`): scheduling it again changes nothing. */
  key: string;
  kind: string;
  clientId: string;
  referralId?: string;
  dueAt: string;
  payload: Record<string, unknown>;
}

export interface DueTimer {
  key: string;
  kind: string;
  clientId: string;
  referralId: string | null;
  dueAt: Date;
  payload: Record<string, unknown>;
}

/** Schedules a timer in the caller's transaction (with the state change that calls for it). */
export async function scheduleTimer(trx: Transaction<Database>, timer: TimerSpec): Promise<void> {
  await trx
    .insertInto('timer')
    .values({
      timer_key: timer.key,
      kind: timer.kind,
      client_id: timer.clientId,
      referral_id: timer.referralId ?? null,
      due_at: timer.dueAt,
      payload: JSON.stringify(timer.payload),
    })
    .onConflict((oc) => oc.column('timer_key').doNothing())
    .execute();
}

/** Cancels a timer that has not fired (what it watched for happened). */
export async function cancelTimer(trx: Transaction<Database>, key: string, at: string): Promise<void> {
  await trx
    .updateTable('timer')
    .set({ cancelled_at: at })
    .where('timer_key', '=', key)
    .where('fired_at', 'is', null)
    .where('cancelled_at', 'is', null)
    .execute();
}

/** {@link scheduleTimer} for many timers, one insert per 1,000; a key listed twice keeps its first spec. */
export async function scheduleTimers(trx: Transaction<Database>, timers: readonly TimerSpec[]): Promise<void> {
  const seen = new Set<string>();
  const unique = timers.filter((t) => !seen.has(t.key) && seen.add(t.key));
  await insertRows(
    trx,
    {
      table: 'timer',
      columns: ['timer_key', 'kind', 'client_id', 'referral_id', 'due_at', 'payload'],
      suffix: 'on conflict (timer_key) do nothing',
    },
    unique.map((t) => [t.key, t.kind, t.clientId, t.referralId ?? null, t.dueAt, JSON.stringify(t.payload)]),
  );
}

/**
 * {@link cancelTimer} for many timers in one statement (keys and times as two arrays); a key
 * listed twice is cancelled at its first time, as two cancelTimer calls in that order would.
 */
export async function cancelTimers(
  trx: Transaction<Database>,
  cancels: ReadonlyArray<{ key: string; at: string }>,
): Promise<void> {
  const seen = new Set<string>();
  const unique = cancels.filter((c) => !seen.has(c.key) && seen.add(c.key));
  if (unique.length === 0) return;
  await sql`
    update timer set cancelled_at = c.at
    from unnest(${unique.map((c) => c.key)}::text[], ${unique.map((c) => c.at)}::timestamptz[]) as c(key, at)
    where timer.timer_key = c.key and timer.fired_at is null and timer.cancelled_at is null`.execute(trx);
}

/**
 * What firing did: `later` when what the timer needs is busy (a row another transaction holds):
 * the timer stays due and is tried again at the next poll, instead of waiting on a lock while
 * holding timer rows (which could deadlock with that transaction). Nothing (`undefined`) means fired.
 */
export type TimerOutcome = 'fired' | 'later' | undefined;

export interface DurableTimerOptions extends LoopFailureHandlers {
  /** Timers claimed per transaction. */
  batchSize?: number;
  pollMs?: number;
  /** What time it is (tests may move it); defaults to the database's clock. */
  now?: () => Date;
}

/** Fires one timer, in the transaction that marks it fired. */
export type FireTimer = (trx: Transaction<Database>, timer: DueTimer) => Promise<TimerOutcome>;

/**
 * Fires a whole claimed batch at once (set-based: one read and one write per table for all of
 * them), in the transaction that marks them fired; returns one outcome per timer, in order.
 */
export interface FireTimers {
  fireAll(trx: Transaction<Database>, timers: readonly DueTimer[]): Promise<readonly TimerOutcome[]>;
}

/**
 * Fires due timers exactly once across restarts and replicas: each batch is claimed with
 * `FOR UPDATE SKIP LOCKED` (two replicas never take the same timer), and the handler's effects
 * (outbox rows) commit with `fired_at` in one transaction. A crash before commit leaves the timer
 * due, to fire on the next poll; after commit it never fires again.
 */
export class DurableTimers {
  private readonly loop: PollingLoop;

  constructor(
    private readonly db: Kysely<Database>,
    /** One timer at a time, or a whole batch at once. */
    private readonly fire: FireTimer | FireTimers,
    private readonly options: DurableTimerOptions = {},
  ) {
    this.loop = new PollingLoop(() => this.fireDue(), options.pollMs ?? 1_000, options);
  }

  /** Fires one batch of due timers; returns how many fired. */
  async fireDue(): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      const now = this.options.now?.();
      const due = await trx
        .selectFrom('timer')
        .select(['id', 'timer_key', 'kind', 'client_id', 'referral_id', 'due_at', 'payload'])
        .where('fired_at', 'is', null)
        .where('cancelled_at', 'is', null)
        .where('due_at', '<=', now ? sql<Date>`${now.toISOString()}::timestamptz` : sql<Date>`now()`)
        .orderBy('due_at')
        .orderBy('id')
        .limit(this.options.batchSize ?? 200)
        .forUpdate()
        .skipLocked()
        .execute();
      const timers: DueTimer[] = due.map((row) => ({
        key: row.timer_key,
        kind: row.kind,
        clientId: row.client_id,
        referralId: row.referral_id,
        dueAt: row.due_at,
        payload: row.payload as Record<string, unknown>,
      }));
      const outcomes = await this.fireEach(trx, timers);
      const fired = due.filter((_, i) => outcomes[i] !== 'later').map((row) => row.id);
      if (fired.length > 0) {
        await trx
          .updateTable('timer')
          .set({ fired_at: (now ?? new Date()).toISOString() })
          .where('id', 'in', fired)
          .execute();
      }
      return fired.length;
    });
  }

  private async fireEach(trx: Transaction<Database>, timers: readonly DueTimer[]): Promise<readonly TimerOutcome[]> {
    if (timers.length === 0) return [];
    if (typeof this.fire !== 'function') {
      const outcomes = await this.fire.fireAll(trx, timers);
      if (outcomes.length !== timers.length)
        throw new Error(`fireAll returned ${outcomes.length} outcomes for ${timers.length} timers`);
      return outcomes;
    }
    const outcomes: TimerOutcome[] = [];
    for (const timer of timers) outcomes.push(await this.fire(trx, timer));
    return outcomes;
  }

  start(): void {
    this.loop.start();
  }

  nudge(): void {
    this.loop.nudge();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
  }
}
