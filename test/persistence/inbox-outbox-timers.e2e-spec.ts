import { sql } from 'kysely';
import {
  DurableTimers,
  Inbox,
  OutboxRelay,
  addJsonToOutbox,
  addToOutbox,
  afterCommit,
  ambientTransaction,
  beforeCommit,
  cancelTimers,
  inUnitOfWork,
  insertRows,
  scheduleTimer,
  scheduleTimers,
  type DatabaseHandle,
  type OutboxMessage,
} from '@passerelle/persistence';
import { dropSuiteDatabase, openSuiteDatabase } from '../support/database';

const entry = (eventId: string, offset = '0') => ({ eventId, eventType: 't', topic: 'x', partition: 0, offset });

describe('inbox, unit of work, outbox relay and durable timers on PostgreSQL', () => {
  let database: DatabaseHandle;
  beforeAll(async () => {
    database = await openSuiteDatabase('inbox');
  });
  afterAll(async () => {
    await dropSuiteDatabase(database);
  });

  const outboxTopics = async (): Promise<string[]> =>
    (await database.db.selectFrom('outbox').select('topic').orderBy('id').execute()).map((r) => r.topic);

  it('applies an event once, however often it comes', async () => {
    const inbox = new Inbox(database.db, 'c1');
    const effect = (trx: Parameters<Parameters<Inbox['applyOnce']>[1]>[0]) =>
      addToOutbox(trx, [{ topic: 'once', event: { id: 'e1' } }]);
    expect(await inbox.applyOnce(entry('e1'), effect)).toBe(true);
    expect(await inbox.applyOnce(entry('e1'), effect)).toBe(false);
    expect(await outboxTopics()).toEqual(['once']);
    await database.db.deleteFrom('outbox').execute();
  });

  it('commits a whole batch at once, and nothing of it when one event fails; after-commit work waits for the commit', async () => {
    const inbox = new Inbox(database.db, 'c2');
    const committed: string[] = [];
    await inUnitOfWork(database.db, async () => {
      for (const id of ['a', 'b', 'a']) {
        const applied = await inbox.applyOnce(entry(id), (trx) =>
          addToOutbox(trx, [{ topic: `t-${id}`, event: { id } }]),
        );
        if (applied) afterCommit(() => committed.push(id));
      }
      // Not visible outside the unit of work before it commits.
      const outside = await sql<{ n: string }>`select count(*) as n from outbox`.execute(database.db);
      expect(Number(outside.rows[0].n)).toBe(0);
      expect(committed).toEqual([]);
    });
    expect(committed).toEqual(['a', 'b']);
    expect(await outboxTopics()).toEqual(['t-a', 't-b']);

    await expect(
      inUnitOfWork(database.db, async () => {
        await inbox.applyOnce(entry('c'), (trx) => addToOutbox(trx, [{ topic: 't-c', event: {} }]));
        await inbox.applyOnce(entry('d'), () => Promise.reject(new Error('poison')));
      }),
    ).rejects.toThrow('poison');
    expect(await outboxTopics()).toEqual(['t-a', 't-b']);
    // 'c' was rolled back with the batch: it applies when retried alone.
    expect(await inbox.applyOnce(entry('c'), (trx) => addToOutbox(trx, [{ topic: 't-c', event: {} }]))).toBe(true);
    await database.db.deleteFrom('outbox').execute();
  });

  it('relays the outbox in order, keeps rows the sink refused, and lets one relay at a time deliver', async () => {
    await database.db.transaction().execute((trx) =>
      addToOutbox(
        trx,
        [1, 2, 3].map((n) => ({ topic: `r${n}`, event: { n } })),
      ),
    );
    let failing = true;
    const delivered: OutboxMessage[] = [];
    const relay = new OutboxRelay(database.db, {
      deliver: (messages) => {
        if (failing) return Promise.reject(new Error('broker down'));
        delivered.push(...messages);
        return Promise.resolve();
      },
    });
    await expect(relay.relayOnce()).rejects.toThrow('broker down');
    expect(await outboxTopics()).toEqual(['r1', 'r2', 'r3']);
    failing = false;
    // Two relays at once: one delivers, the other finds the turn taken.
    const other = new OutboxRelay(database.db, {
      deliver: (messages) => {
        delivered.push(...messages);
        return Promise.resolve();
      },
    });
    const counts = await Promise.all([relay.relayOnce(), other.relayOnce()]);
    expect(counts.sort()).toEqual([0, 3]);
    expect(delivered.map((m) => m.topic)).toEqual(['r1', 'r2', 'r3']);
    expect(await outboxTopics()).toEqual([]);
  });

  it('fires a due timer once across two pollers, leaves a later one, and keeps a timer whose handler says later', async () => {
    await database.db.transaction().execute(async (trx) => {
      await scheduleTimer(trx, {
        key: 'due',
        kind: 'k',
        clientId: crypto.randomUUID(),
        dueAt: '2020-01-01T00:00:00Z',
        payload: {},
      });
      await scheduleTimer(trx, {
        key: 'due',
        kind: 'k',
        clientId: crypto.randomUUID(),
        dueAt: '2020-01-01T00:00:00Z',
        payload: { again: true },
      });
      await scheduleTimer(trx, {
        key: 'busy',
        kind: 'k',
        clientId: crypto.randomUUID(),
        dueAt: '2020-01-01T00:00:00Z',
        payload: {},
      });
      await scheduleTimer(trx, {
        key: 'future',
        kind: 'k',
        clientId: crypto.randomUUID(),
        dueAt: '2999-01-01T00:00:00Z',
        payload: {},
      });
    });
    const fired: string[] = [];
    const fire = (_trx: unknown, timer: { key: string }) => {
      if (timer.key === 'busy') return Promise.resolve('later' as const);
      fired.push(timer.key);
      return Promise.resolve(undefined);
    };
    const [a, b] = [new DurableTimers(database.db, fire), new DurableTimers(database.db, fire)];
    await Promise.all([a.fireDue(), b.fireDue()]);
    await a.fireDue();
    expect(fired).toEqual(['due']);
    const rows = await database.db.selectFrom('timer').select(['timer_key', 'fired_at']).orderBy('timer_key').execute();
    expect(rows.map((r) => [r.timer_key, r.fired_at !== null])).toEqual([
      ['busy', false],
      ['due', true],
      ['future', false],
    ]);
  });

  it('claims a whole batch of events with one insert per 1,000: only ids not applied before, each once', async () => {
    const inbox = new Inbox(database.db, 'c3');
    await inbox.applyOnce(entry('old'), () => Promise.resolve());
    const many = Array.from({ length: 2_345 }, (_, n) => entry(`m${n}`, String(n)));
    const claimed = await database.db
      .transaction()
      .execute((trx) => inbox.claim(trx, [entry('old'), entry('new'), entry('new'), ...many]));
    expect(claimed.has('old')).toBe(false);
    expect(claimed.has('new')).toBe(true);
    expect(claimed.size).toBe(1 + many.length);
    // Claimed in a transaction that rolls back: claimable again.
    await expect(
      database.db.transaction().execute(async (trx) => {
        expect([...(await inbox.claim(trx, [entry('rolled-back')]))]).toEqual(['rolled-back']);
        throw new Error('batch failed');
      }),
    ).rejects.toThrow('batch failed');
    expect([
      ...(await database.db.transaction().execute((trx) => inbox.claim(trx, [entry('rolled-back'), entry('new')]))),
    ]).toEqual(['rolled-back']);
    expect(await database.db.transaction().execute((trx) => inbox.claim(trx, []))).toEqual(new Set());
  });

  it('runs work deferred to just before the commit in the unit of work, and rolls everything back when it fails', async () => {
    const order: string[] = [];
    await inUnitOfWork(database.db, () => {
      const trx = ambientTransaction()!;
      beforeCommit(async (own) => {
        expect(own).toBe(trx);
        order.push('first');
        await addToOutbox(own, [{ topic: 'deferred', event: {} }]);
        afterCommit(() => order.push('committed'));
        beforeCommit(() => {
          order.push('added by the first');
          return Promise.resolve();
        });
      });
      beforeCommit(() => {
        order.push('second');
        return Promise.resolve();
      });
      order.push('work');
      return Promise.resolve();
    });
    expect(order).toEqual(['work', 'first', 'second', 'added by the first', 'committed']);
    expect(await outboxTopics()).toEqual(['deferred']);

    const committed: string[] = [];
    await expect(
      inUnitOfWork(database.db, async () => {
        await addToOutbox(ambientTransaction()!, [{ topic: 'lost', event: {} }]);
        afterCommit(() => committed.push('never'));
        beforeCommit(() => Promise.reject(new Error('refused at the end of the batch')));
      }),
    ).rejects.toThrow('refused at the end of the batch');
    expect(committed).toEqual([]);
    expect(await outboxTopics()).toEqual(['deferred']);
    expect(() => beforeCommit(() => Promise.resolve())).toThrow(/unit of work/);
    await database.db.deleteFrom('outbox').execute();
  });

  it('inserts many rows in order with one statement per 1,000, and refuses a row of the wrong width', async () => {
    const messages = Array.from({ length: 2_500 }, (_, n) => ({
      topic: `bulk-${n}`,
      json: JSON.stringify({ n, text: 'quote " backslash \\ é' }),
    }));
    await database.db.transaction().execute((trx) => addJsonToOutbox(trx, messages));
    const rows = await database.db.selectFrom('outbox').select(['topic', 'event']).orderBy('id').execute();
    expect(rows.map((r) => r.topic)).toEqual(messages.map((m) => m.topic));
    expect(rows[2_499].event).toEqual({ n: 2_499, text: 'quote " backslash \\ é' });
    await database.db.deleteFrom('outbox').execute();

    const returned = await database.db.transaction().execute((trx) =>
      insertRows<{ event_id: string }>(
        trx,
        {
          table: 'inbox',
          columns: ['consumer', 'event_id', 'event_type', 'topic', 'partition', 'offset'],
          suffix: 'returning event_id',
        },
        [['c4', 'r1', 't', 'x', 0, '1']],
      ),
    );
    expect(returned).toEqual([{ event_id: 'r1' }]);
    await expect(
      database.db
        .transaction()
        .execute((trx) => insertRows(trx, { table: 'outbox', columns: ['topic', 'event'] }, [['only-one-value']])),
    ).rejects.toThrow(/1 values for 2 columns/);
    // The type refuses this name at compile time; the cast checks that the run-time guard does too.
    const injected = 'outbox; drop table inbox' as 'outbox';
    await expect(
      database.db.transaction().execute((trx) => insertRows(trx, { table: injected, columns: ['topic'] }, [['x']])),
    ).rejects.toThrow(/not a plain lower-case identifier/);
  });

  it('schedules and cancels many timers at once, a key listed twice counting once (its first entry)', async () => {
    const clientId = crypto.randomUUID();
    await database.db.transaction().execute(async (trx) => {
      await scheduleTimers(trx, [
        { key: 'many-a', kind: 'k', clientId, dueAt: '2999-01-01T00:00:00Z', payload: { first: true } },
        { key: 'many-a', kind: 'k', clientId, dueAt: '2999-06-01T00:00:00Z', payload: { first: false } },
        { key: 'many-b', kind: 'k', clientId, dueAt: '2999-01-01T00:00:00Z', payload: {} },
      ]);
      await cancelTimers(trx, [
        { key: 'many-a', at: '2030-01-01T00:00:00Z' },
        { key: 'many-a', at: '2031-01-01T00:00:00Z' },
        { key: 'no-such-timer', at: '2030-01-01T00:00:00Z' },
      ]);
      await cancelTimers(trx, []);
    });
    const rows = await database.db
      .selectFrom('timer')
      .select(['timer_key', 'payload', 'cancelled_at'])
      .where('timer_key', 'like', 'many-%')
      .orderBy('timer_key')
      .execute();
    expect(rows.map((r) => [r.timer_key, r.payload, r.cancelled_at?.toISOString() ?? null])).toEqual([
      ['many-a', { first: true }, '2030-01-01T00:00:00.000Z'],
      ['many-b', {}, null],
    ]);
  });

  it('fires a claimed batch of timers with one call, and marks nothing fired when that call fails', async () => {
    await database.db.transaction().execute((trx) =>
      scheduleTimers(
        trx,
        ['batch-1', 'batch-2', 'batch-3'].map((key) => ({
          key,
          kind: 'batch',
          clientId: crypto.randomUUID(),
          dueAt: '2001-01-01T00:00:00Z',
          payload: {},
        })),
      ),
    );
    const pending = async () =>
      (
        await database.db
          .selectFrom('timer')
          .select('timer_key')
          .where('kind', '=', 'batch')
          .where('fired_at', 'is', null)
          .orderBy('timer_key')
          .execute()
      ).map((r) => r.timer_key);
    const calls: string[][] = [];
    const short = new DurableTimers(database.db, { fireAll: () => Promise.resolve([undefined]) });
    await expect(short.fireDue()).rejects.toThrow(/1 outcomes for/);
    const failing = new DurableTimers(database.db, {
      fireAll: () => Promise.reject(new Error('sink down')),
    });
    await expect(failing.fireDue()).rejects.toThrow('sink down');
    expect(await pending()).toEqual(['batch-1', 'batch-2', 'batch-3']);
    const batched = new DurableTimers(database.db, {
      fireAll: (_trx, timers) => {
        const keys = timers.filter((t) => t.kind === 'batch').map((t) => t.key);
        calls.push(keys);
        return Promise.resolve(
          timers.map((t) => (t.key === 'batch-2' ? 'later' : t.kind === 'batch' ? 'fired' : undefined)),
        );
      },
    });
    await batched.fireDue();
    expect(calls).toEqual([['batch-1', 'batch-2', 'batch-3']]);
    expect(await pending()).toEqual(['batch-2']);
  });
});
