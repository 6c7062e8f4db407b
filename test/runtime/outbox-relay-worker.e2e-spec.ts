import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type { CloudEvent } from '@passerelle/messaging';
import { addToOutbox, dropSchema, migrateToLatest, openDatabase, type DatabaseHandle } from '@passerelle/persistence';
import { OutboxRelayWorker } from '@passerelle/runtime';
import { dropSuiteDatabase, openSuiteDatabase, testDatabaseUrl } from '../support/database';
import {
  createTopics,
  headersAsStrings,
  readRecords,
  testBrokers,
  testKafka,
  uniqueName,
  waitFor,
} from '../support/kafka';

const event = (n: number): CloudEvent => ({
  specversion: '1.0',
  id: `relay-${n}`,
  source: 'urn:passerelle:test',
  type: 'ca.on.passerelle.test.relayed',
  subject: 'client-1',
  datacontenttype: 'application/json',
  data: { n },
});

describe('outbox relay in a worker thread, on the real broker and database', () => {
  const kafka = testKafka();
  let database: DatabaseHandle;
  let topic: string;
  const env = (schema: string): Record<string, string> => ({
    KAFKA_BROKERS: testBrokers().join(','),
    DATABASE_URL: testDatabaseUrl(),
    DATABASE_SCHEMA: schema,
    LOG_LEVEL: 'warn',
  });
  const addEvents = (from: number, count: number): Promise<void> =>
    database.db.transaction().execute((trx) =>
      addToOutbox(
        trx,
        Array.from({ length: count }, (_, i) => ({
          topic,
          event: event(from + i) as unknown as Record<string, unknown>,
        })),
      ),
    );
  const outboxRows = async (): Promise<number> =>
    Number(
      (
        await database.db
          .selectFrom('outbox')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const relayedIds = async (count: number): Promise<string[]> =>
    (await readRecords(kafka, topic, count)).map((r) => headersAsStrings(r.headers).ce_id);

  beforeEach(async () => {
    database = await openSuiteDatabase('relay-worker');
    topic = uniqueName('relay-worker');
    await createTopics(kafka, [topic]);
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await dropSuiteDatabase(database);
  });

  it('relays from its own thread in id order, as CloudEvents, and deletes rows only once Kafka has them', async () => {
    await addEvents(0, 120);
    const relayed: number[] = [];
    const relay = new OutboxRelayWorker({
      app: 'relay-test',
      env: env(database.schema),
      onRelayed: (n) => relayed.push(n),
    });
    await relay.start();
    try {
      const ids = await relayedIds(120);
      expect(ids).toEqual(Array.from({ length: 120 }, (_, i) => `relay-${i}`));
      await waitFor(async () => (await outboxRows()) === 0 || undefined, 10_000, 'outbox emptied');
      // A nudge relays what was just committed without waiting for the next poll.
      await addEvents(120, 5);
      relay.nudge();
      expect((await relayedIds(125)).slice(120)).toEqual([
        'relay-120',
        'relay-121',
        'relay-122',
        'relay-123',
        'relay-124',
      ]);
      await waitFor(() => relayed.reduce((a, b) => a + b, 0) === 125 || undefined, 10_000, 'relayed counts reported');
    } finally {
      await relay.stop();
    }
    expect(relay.restarts).toBe(0);
  });

  it('keeps polling while its schema and tables are missing, saying so, and relays once they exist, without a restart', async () => {
    const schema = `t_relay_late_${randomBytes(4).toString('hex')}`;
    const warnings = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const notes = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    const relay = new OutboxRelayWorker({ app: 'relay-test', env: env(schema), idleMs: 50 });
    const late = openDatabase({ url: testDatabaseUrl(), schema, maxConnections: 2 });
    const failures = (pattern: RegExp): boolean =>
      warnings.mock.calls.some(
        ([m]) => /outbox relay failed( \d+ times in a row)?, retrying/.test(String(m)) && pattern.test(String(m)),
      );
    await relay.start();
    try {
      // No schema yet: said, rather than waiting for a relaying turn that never comes.
      await waitFor(() => failures(/outbox schema does not exist/) || undefined, 10_000, 'missing schema logged');
      // The schema, without its tables (as before the app's migrations ran).
      await late.pool.query(`create schema ${schema}`);
      await waitFor(() => failures(/relation "outbox" does not exist/) || undefined, 10_000, 'missing table logged');
      await migrateToLatest(late);
      await late.db
        .transaction()
        .execute((trx) => addToOutbox(trx, [{ topic, event: event(7) as unknown as Record<string, unknown> }]));
      expect(await relayedIds(1)).toEqual(['relay-7']);
      // The recovery comes back from the thread once, at Nest's log level. It is posted after the
      // step that relayed, so it may arrive after the record is seen on the topic.
      const recoveries = (): unknown[] =>
        notes.mock.calls.filter(([m]) => /^outbox relay works again after \d+ failed attempts?$/.test(String(m)));
      await waitFor(() => recoveries().length > 0 || undefined, 10_000, 'recovery logged');
      expect(recoveries()).toHaveLength(1);
    } finally {
      await relay.stop();
      await dropSchema(late);
      await late.close();
    }
    expect(relay.restarts).toBe(0);
  });

  it('restarts a worker that dies, waiting longer each time, and stops for good when asked', async () => {
    const errors = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    // A schema name the pool refuses: the worker throws as it starts, every time.
    const relay = new OutboxRelayWorker({
      app: 'relay-test',
      env: env('not a schema!'),
      restartDelayMs: 50,
      maxRestartDelayMs: 200,
    });
    await relay.start();
    try {
      await waitFor(() => relay.restarts >= 3 || undefined, 20_000, 'three restarts');
      const exits = errors.mock.calls.map(([m]) => String(m)).filter((m) => m.includes('outbox relay worker exited'));
      expect(exits.length).toBeGreaterThanOrEqual(3);
      expect(exits.slice(0, 3).map((m) => Number(/in (\d+) ms/.exec(m)?.[1]))).toEqual([50, 100, 200]);
      expect(errors.mock.calls.some(([m]) => /outbox relay worker failed: .*not a schema!/s.test(String(m)))).toBe(
        true,
      );
    } finally {
      await relay.stop();
    }
    // The only restart that could still come is the one the last exit scheduled, on a timer of the
    // delay it logged: a timer of that same delay set now fires after it (Node runs timers of one
    // duration in the order they were set), so by then a restart would have been counted.
    const after = relay.restarts;
    const delays = errors.mock.calls.map(([m]) => /restarting it in (\d+) ms/.exec(String(m))?.[1]).filter(Boolean);
    await new Promise((done) => setTimeout(done, Number(delays.at(-1))));
    expect(relay.restarts).toBe(after);
  });

  it('stops cleanly when asked while it is still starting, without being terminated', async () => {
    const warnings = jest.spyOn(Logger.prototype, 'warn');
    let relayedAfterStop = 0;
    const relay = new OutboxRelayWorker({
      app: 'relay-test',
      env: env(database.schema),
      stopTimeoutMs: 20_000,
      idleMs: 50,
      onRelayed: (n) => (relayedAfterStop += n),
    });
    const started = relay.start();
    await relay.stop();
    await started;
    expect(warnings.mock.calls.some(([m]) => /did not stop/.test(String(m)))).toBe(false);
    expect(relay.restarts).toBe(0);
    // Nothing relays after the stop: a row added now stays in the outbox until a relay that runs
    // (the witness) takes it, and the stopped one, polling every 50 ms were it alive, relayed none.
    await addEvents(0, 1);
    expect(await outboxRows()).toBe(1);
    let witnessed = 0;
    const witness = new OutboxRelayWorker({
      app: 'relay-witness',
      env: env(database.schema),
      onRelayed: (n) => (witnessed += n),
    });
    await witness.start();
    try {
      witness.nudge();
      await waitFor(() => witnessed === 1 || undefined, 10_000, 'the witness relaying the row');
    } finally {
      await witness.stop();
    }
    expect(await outboxRows()).toBe(0);
    expect(await relayedIds(1)).toEqual(['relay-0']);
    expect(relayedAfterStop).toBe(0);
  });

  it('terminates a worker that does not stop in time, and the rows it had not deleted are relayed again, none lost', async () => {
    await addEvents(0, 2_000);
    const warnings = jest.spyOn(Logger.prototype, 'warn');
    let relayed = 0;
    const slow = new OutboxRelayWorker({
      app: 'relay-test',
      env: env(database.schema),
      batchSize: 500,
      stopTimeoutMs: 1,
      onRelayed: (n) => (relayed += n),
    });
    await slow.start();
    slow.nudge();
    await waitFor(() => relayed > 0 || undefined, 10_000, 'a first delivery');
    await slow.stop();
    expect(warnings.mock.calls.some(([m]) => /did not stop within 1 ms; terminating it/.test(String(m)))).toBe(true);
    expect(slow.restarts).toBe(0);
    // At least once: a delivery cut off before its delete goes again, so every id arrives.
    const next = new OutboxRelayWorker({ app: 'relay-test', env: env(database.schema) });
    await next.start();
    try {
      await waitFor(async () => (await outboxRows()) === 0 || undefined, 15_000, 'outbox emptied');
      const admin = kafka.admin();
      await admin.connect();
      const onTopic = Number((await admin.fetchTopicOffsets(topic))[0].high);
      await admin.disconnect();
      expect(onTopic).toBeGreaterThanOrEqual(2_000);
      const ids = new Set(await relayedIds(onTopic));
      for (let i = 0; i < 2_000; i += 1) expect(ids.has(`relay-${i}`)).toBe(true);
    } finally {
      await next.stop();
    }
  });

  it('lets the delivery in flight finish on stop, and leaves the rest for the next start: every row once, in order', async () => {
    await addEvents(0, 3_000);
    let relayedByFirst = 0;
    const first = new OutboxRelayWorker({
      app: 'relay-test',
      env: env(database.schema),
      batchSize: 200,
      onRelayed: (n) => (relayedByFirst += n),
    });
    await first.start();
    await waitFor(() => relayedByFirst > 0 || undefined, 10_000, 'a first delivery');
    await first.stop();
    const left = await outboxRows();
    expect(left).toBe(3_000 - relayedByFirst);
    const second = new OutboxRelayWorker({ app: 'relay-test', env: env(database.schema), batchSize: 200 });
    await second.start();
    try {
      const ids = await relayedIds(3_000);
      expect(ids).toEqual(Array.from({ length: 3_000 }, (_, i) => `relay-${i}`));
      await waitFor(async () => (await outboxRows()) === 0 || undefined, 10_000, 'outbox emptied');
    } finally {
      await second.stop();
    }
  });
});
