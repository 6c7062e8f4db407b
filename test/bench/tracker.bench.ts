import { randomBytes } from 'node:crypto';
import type { CloudEvent } from '@passerelle/messaging';
import { EventPublisher, TopicNames, createKafka, provisionContractTopics } from '@passerelle/messaging';
import { dropSchema, migrateToLatest, openDatabase, type DatabaseHandle } from '@passerelle/persistence';
import { startEventApp } from '@passerelle/runtime';
import { referralTrackerApp } from '../../apps/referral-tracker/src/referral-tracker.app';
import { clientPath } from '../support/client-path';
import { benchAppLogs, envInt, progress, round, sleep, uniqueName, type BenchContext, type BenchResult } from './bench';
import { describeCpuWindow, startCpuWindow, type CpuWindow } from './machine-cpu';

/**
 * referral-tracker.apply: canonical events applied per second by the real referral-tracker app
 * (inbox rows, state changes, history and outbox rows of a Kafka batch in one transaction,
 * applied set-based; routing, consent, parking, timers, outcome correlation and the outbox relay
 * included), from topics pre-filled with whole client paths (OW referral, provider answers,
 * service events, job, follow-ups, exit: 60 events a client). Baseline, same run: bare batched
 * inserts of the rows every event leaves at least (its inbox row and one outbox row holding the
 * event), 500 events per transaction.
 */
const NAME = 'referral-tracker.apply';

export async function trackerBench({ brokers }: BenchContext): Promise<BenchResult> {
  const clients = envInt('BENCH_TRACKER_CLIENTS', 200);
  // An un-measured pass first, on its own topics and schema, as the other benchmarks warm up:
  // the measured pass then times a tracker whose code is compiled, as a running one's is.
  const warmup = envInt('BENCH_TRACKER_WARMUP_CLIENTS', 100);
  if (warmup > 0) {
    const w = await trackerPass(brokers, warmup);
    progress(
      `${NAME} warm-up (${warmup} clients, not counted): ${Math.round(w.ours)} vs ${Math.round(w.baseline)} events/s`,
    );
  }
  const { ours, baseline, cpu } = await trackerPass(brokers, clients);
  return {
    name: NAME,
    ours: Math.round(ours),
    baseline: Math.round(baseline),
    unit: 'events/s',
    ratio: round(ours / baseline),
    // What bounds the rate on a machine whose cores the broker, PostgreSQL and node share.
    ...(cpu && {
      cpuUsPerEvent: cpu.perUnitUs.machine,
      cpuCeiling: cpu.ceilingPerSecond,
      busyCores: round(cpu.busyCores, 2),
    }),
  };
}

/** One pass on topics and schemas of its own: the baseline, then the tracker app over the same events. */
async function trackerPass(
  brokers: string[],
  clients: number,
): Promise<{ ours: number; baseline: number; cpu?: CpuWindow }> {
  const prefix = `${uniqueName('bench-trk')}.`;
  const schema = uniqueName('bench_trk').replace(/-/g, '_');
  const baselineSchema = uniqueName('bench_trk_base').replace(/-/g, '_');
  const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const names = new TopicNames(prefix);
  const kafka = createKafka({ brokers, clientId: 'bench-tracker' });
  const admin = kafka.admin();
  await admin.connect();
  const publisher = new EventPublisher(kafka);
  const database = openDatabase({ url: databaseUrl, schema });
  const baselineDb = openDatabase({ url: databaseUrl, schema: baselineSchema });
  try {
    await provisionContractTopics(kafka, { names, partitions: 3, replicationFactor: 1 });
    const paths = Array.from({ length: clients }, (_, n) => clientPath(crypto.randomUUID(), n + 1));
    const events = paths.flatMap((p) => p.events);
    const distinct = new Set(events.map((e) => e.event.id)).size;
    for (const topic of ['referrals.v1', 'service-events.v1', 'outcomes.v1'] as const) {
      const onTopic = events.filter((e) => e.topic === topic).map((e) => e.event);
      for (let at = 0; at < onTopic.length; at += 500)
        await publisher.publish(names.of(topic), onTopic.slice(at, at + 500));
    }
    progress(`${NAME}: ${clients} client paths = ${distinct} canonical events on ${prefix}*`);

    const baseline = await baselinePass(
      baselineDb,
      events.map((e) => e.event),
    );
    progress(`${NAME} baseline (bare batched inserts of inbox + outbox rows): ${Math.round(baseline)} events/s`);

    const t0 = performance.now();
    const app = await startEventApp(referralTrackerApp, {
      KAFKA_BROKERS: brokers.join(','),
      KAFKA_TOPIC_PREFIX: prefix,
      DATABASE_URL: databaseUrl,
      DATABASE_SCHEMA: schema,
      MINISTRY_PSEUDONYM_KEY: randomBytes(32).toString('hex'),
      // As in production: `personal` is opened and sealed with each client's data key.
      PERSONAL_DATA_MASTER_KEY: process.env.PERSONAL_DATA_MASTER_KEY ?? randomBytes(32).toString('hex'),
      ...benchAppLogs('warn'),
    });
    const started = performance.now();
    // The consumer may have applied a first batch already: only what is applied from here counts.
    const appliedAtStart = await appliedCount(database);
    progress(
      `${NAME}: app started (migrations, topics, group joined) in ${((started - t0) / 1000).toFixed(1)} s, ${appliedAtStart} events applied by then`,
    );
    // Timed from the moment the app is up (migrations applied, topics provisioned, consumer
    // group joined) until the inbox holds every event: booting and shutting down (its consumer's
    // last fetch waits out kafkajs' maxWaitTime) are not applying events. Start-up is printed.
    const endCpuWindow = startCpuWindow();
    let seconds: number;
    let machine: CpuWindow | undefined;
    try {
      await waitForApplied(database, distinct, 600_000);
      seconds = (performance.now() - started) / 1000;
      machine = endCpuWindow?.(distinct - appliedAtStart);
      if (machine) progress(`${NAME} ours: ${describeCpuWindow(machine, 'event')}`);
    } finally {
      await app.close();
    }
    await checkLedger(database, clients);
    const ours = (distinct - appliedAtStart) / seconds;
    progress(
      `${NAME} ours: ${distinct - appliedAtStart} events applied in ${seconds.toFixed(1)} s = ${Math.round(ours)} events/s ` +
        `(after a start-up of ${((started - t0) / 1000).toFixed(1)} s${machine ? `; node CPU ${machine.perUnitUs.node} µs/event` : ''}; target >= 5,000 events/s)`,
    );
    return { ours, baseline, cpu: machine };
  } finally {
    await publisher.disconnect();
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    await admin
      .deleteTopics({ topics })
      .catch((error: unknown) => progress(`could not delete bench topics: ${String(error)}`));
    await admin.disconnect();
    for (const handle of [database, baselineDb]) {
      await dropSchema(handle).catch(() => undefined);
      await handle.close();
    }
  }
}

/** The bare minimum every applied event writes, batched: 500 events' inbox and outbox rows per transaction. */
async function baselinePass(database: DatabaseHandle, events: CloudEvent[]): Promise<number> {
  await migrateToLatest(database);
  const endCpuWindow = startCpuWindow();
  const t0 = performance.now();
  for (let at = 0; at < events.length; at += 500) {
    const batch = events.slice(at, at + 500);
    await database.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('inbox')
        .values(
          batch.map((e, i) => ({
            consumer: 'bench',
            event_id: e.id,
            event_type: e.type,
            topic: 'bench',
            partition: 0,
            offset: String(at + i),
          })),
        )
        .onConflict((oc) => oc.columns(['consumer', 'event_id']).doNothing())
        .execute();
      await trx
        .insertInto('outbox')
        .values(batch.map((e) => ({ topic: 'bench', event: JSON.stringify(e) })))
        .execute();
    });
  }
  const seconds = (performance.now() - t0) / 1000;
  if (endCpuWindow) progress(`${NAME} baseline: ${describeCpuWindow(endCpuWindow(events.length), 'event')}`);
  return events.length / seconds;
}

/** Fast is worth nothing if wrong: every path ends with its referral completed, nothing left parked. */
async function checkLedger(database: DatabaseHandle, clients: number): Promise<void> {
  const completed = await database.db
    .selectFrom('referral')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('status', '=', 'completed')
    .executeTakeFirstOrThrow();
  const parked = await database.db
    .selectFrom('parked_event')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  if (Number(completed.n) !== clients || Number(parked.n) !== 0) {
    throw new Error(`${NAME}: ${completed.n}/${clients} referrals completed, ${parked.n} events left parked`);
  }
}

async function waitForApplied(database: DatabaseHandle, count: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const applied = await appliedCount(database);
    if (applied >= count) return;
    if (Date.now() > deadline) throw new Error(`${NAME}: ${applied}/${count} events applied after ${timeoutMs} ms`);
    // Not more often: under load a count of the inbox takes PostgreSQL 10-20 ms, time the tracker would lose.
    await sleep(200);
  }
}

async function appliedCount(database: DatabaseHandle): Promise<number> {
  const { applied } = await database.db
    .selectFrom('inbox')
    .select((eb) => eb.fn.countAll<string>().as('applied'))
    .executeTakeFirstOrThrow();
  return Number(applied);
}
