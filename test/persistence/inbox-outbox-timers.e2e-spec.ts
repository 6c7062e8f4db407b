import { sql } from 'kysely';
import {
  DurableTimers,
  Inbox,
  OutboxRelay,
  addToOutbox,
  afterCommit,
  inUnitOfWork,
  scheduleTimer,
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

  const outboxTopics = async (): Promise<string[]> => (await database.db.selectFrom('outbox').select('topic').orderBy('id').execute()).map((r) => r.topic);

  it('applies an event once, however often it comes', async () => {
    const inbox = new Inbox(database.db, 'c1');
    const effect = (trx: Parameters<Parameters<Inbox['applyOnce']>[1]>[0]) => addToOutbox(trx, [{ topic: 'once', event: { id: 'e1' } }]);
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
        const applied = await inbox.applyOnce(entry(id), (trx) => addToOutbox(trx, [{ topic: `t-${id}`, event: { id } }]));
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
        await inbox.applyOnce(entry('d'), async () => {
          throw new Error('poison');
        });
      }),
    ).rejects.toThrow('poison');
    expect(await outboxTopics()).toEqual(['t-a', 't-b']);
    // 'c' was rolled back with the batch: it applies when retried alone.
    expect(await inbox.applyOnce(entry('c'), (trx) => addToOutbox(trx, [{ topic: 't-c', event: {} }]))).toBe(true);
    await database.db.deleteFrom('outbox').execute();
  });

  it('relays the outbox in order, keeps rows the sink refused, and lets one relay at a time deliver', async () => {
    await database.db.transaction().execute((trx) => addToOutbox(trx, [1, 2, 3].map((n) => ({ topic: `r${n}`, event: { n } }))));
    let failing = true;
    const delivered: OutboxMessage[] = [];
    const relay = new OutboxRelay(database.db, {
      deliver: async (messages) => {
        if (failing) throw new Error('broker down');
        delivered.push(...messages);
      },
    });
    await expect(relay.relayOnce()).rejects.toThrow('broker down');
    expect(await outboxTopics()).toEqual(['r1', 'r2', 'r3']);
    failing = false;
    // Two relays at once: one delivers, the other finds the turn taken.
    const other = new OutboxRelay(database.db, { deliver: async (messages) => void delivered.push(...messages) });
    const counts = await Promise.all([relay.relayOnce(), other.relayOnce()]);
    expect(counts.sort()).toEqual([0, 3]);
    expect(delivered.map((m) => m.topic)).toEqual(['r1', 'r2', 'r3']);
    expect(await outboxTopics()).toEqual([]);
  });

  it('fires a due timer once across two pollers, leaves a later one, and keeps a timer whose handler says later', async () => {
    await database.db.transaction().execute(async (trx) => {
      await scheduleTimer(trx, { key: 'due', kind: 'k', clientId: crypto.randomUUID(), dueAt: '2020-01-01T00:00:00Z', payload: {} });
      await scheduleTimer(trx, { key: 'due', kind: 'k', clientId: crypto.randomUUID(), dueAt: '2020-01-01T00:00:00Z', payload: { again: true } });
      await scheduleTimer(trx, { key: 'busy', kind: 'k', clientId: crypto.randomUUID(), dueAt: '2020-01-01T00:00:00Z', payload: {} });
      await scheduleTimer(trx, { key: 'future', kind: 'k', clientId: crypto.randomUUID(), dueAt: '2999-01-01T00:00:00Z', payload: {} });
    });
    const fired: string[] = [];
    const fire = async (_trx: unknown, timer: { key: string }) => {
      if (timer.key === 'busy') return 'later' as const;
      fired.push(timer.key);
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
});
