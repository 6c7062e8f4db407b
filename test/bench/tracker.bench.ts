import { randomBytes } from 'node:crypto';
import type { CloudEvent } from '@passerelle/messaging';
import { EventPublisher, TopicNames, createKafka, provisionContractTopics } from '@passerelle/messaging';
import {
  dropSchema,
  migrateToLatest,
  openDatabase,
  personalDataVault,
  type DatabaseHandle,
} from '@passerelle/persistence';
import { startEventApp } from '@passerelle/runtime';
import { referralTrackerApp } from '../../apps/referral-tracker/src/referral-tracker.app';
import { clientPath } from '../support/client-path';
import { benchAppLogs, envInt, progress, round, sleep, uniqueName, type BenchContext, type BenchResult } from './bench';
import { isSealedPersonal } from '@passerelle/crypto';
import { describeCpuWindow, startCpuWindow, type CpuWindow } from './machine-cpu';
import { checkSameLedgerPersonal, sealPersonal } from './tracker-sealing';

/**
 * referral-tracker.apply: canonical events applied per second by the real referral-tracker app
 * (inbox rows, state changes, history and outbox rows of a Kafka batch in one transaction,
 * applied set-based; routing, consent, parking, timers, outcome correlation and the outbox relay
 * included), from topics pre-filled with whole client paths (OW referral, provider answers,
 * service events, job, follow-ups, exit: 60 events a client); twice over the same paths: with
 * personal data in clear (PERSONAL_DATA_MASTER_KEY=clear), and sealed as in production (the
 * input's `personal` sealed with each client's key, opened and sealed again by the tracker).
 * `ours` is the sealed run. Baseline, same run: bare batched inserts of the rows every event
 * leaves at least (its inbox row and one outbox row holding the event), 500 events per transaction.
 */
const NAME = 'referral-tracker.apply';

/** The tracker with personal data in clear (PERSONAL_DATA_MASTER_KEY=clear), and sealed as in production. */
type Variant = 'clear' | 'sealed';

/** One run of the tracker: events/s, and the machine's CPU over its window (undefined off Linux). */
interface Sample {
  rate: number;
  cpu?: CpuWindow;
}

export async function trackerBench({ brokers }: BenchContext): Promise<BenchResult> {
  const clients = envInt('BENCH_TRACKER_CLIENTS', 200);
  // The sealed runs' master key: their schemas' client keys are created (wrapped) with it.
  const masterKey = randomBytes(32);
  // An un-measured pass first, on its own topics and schemas, as the other benchmarks warm up:
  // the measured pass then times a tracker whose code is compiled, as a running one's is.
  const warmup = envInt('BENCH_TRACKER_WARMUP_CLIENTS', 100);
  if (warmup > 0) {
    const w = await trackerPass(brokers, warmup, masterKey, ['clear', 'sealed']);
    progress(
      `${NAME} warm-up (${warmup} clients, not counted): sealed ${Math.round(w.sealed.rate)}, ` +
        `clear ${Math.round(w.clear.rate)}, baseline ${Math.round(w.baseline)} events/s`,
    );
  }
  // Rounds alternate which variant runs first (the first after the baseline met a database the
  // baseline had just written to); the best of each variant is reported, as in ow.adapter.
  const rounds = envInt('BENCH_ROUNDS', 2);
  const passes: Array<{ clear: Sample; sealed: Sample; baseline: number }> = [];
  for (let r = 0; r < rounds; r += 1)
    passes.push(
      await trackerPass(brokers, clients, masterKey, r % 2 === 0 ? ['clear', 'sealed'] : ['sealed', 'clear']),
    );
  const best = (variant: Variant): Sample => passes.map((p) => p[variant]).reduce((a, b) => (b.rate > a.rate ? b : a));
  const lowestNode = (variant: Variant): number | undefined => {
    const cpus = passes.flatMap((p) => (p[variant].cpu ? [p[variant].cpu.perUnitUs.node] : []));
    return cpus.length > 0 ? Math.min(...cpus) : undefined;
  };
  progress(
    `${NAME} samples (events/s): clear ${passes.map((p) => Math.round(p.clear.rate)).join(', ')}; ` +
      `sealed ${passes.map((p) => Math.round(p.sealed.rate)).join(', ')}; best of each reported`,
  );
  const sealed = best('sealed');
  const clear = best('clear');
  const baseline = Math.max(...passes.map((p) => p.baseline));
  const ours = Math.round(sealed.rate);
  const clearOurs = Math.round(clear.rate);
  const sealedNode = lowestNode('sealed');
  const clearNode = lowestNode('clear');
  return {
    name: NAME,
    ours,
    baseline: Math.round(baseline),
    unit: 'events/s',
    ratio: round(sealed.rate / baseline),
    // What sealing costs: the tracker in clear against the tracker as production runs it.
    clearOurs,
    sealingCost: round(1 - sealed.rate / clear.rate),
    ...(sealedNode !== undefined &&
      clearNode !== undefined && {
        nodeCpuUsPerEvent: sealedNode,
        clearNodeCpuUsPerEvent: clearNode,
        sealingCpuCost: round(1 - clearNode / sealedNode),
      }),
    // What bounds the rate on a machine whose cores the broker, PostgreSQL and node share (sealed run).
    ...(sealed.cpu && {
      cpuUsPerEvent: sealed.cpu.perUnitUs.machine,
      cpuCeiling: sealed.cpu.ceilingPerSecond,
      busyCores: round(sealed.cpu.busyCores, 2),
    }),
  };
}

/**
 * One pass on topics and schemas of its own: the baseline, then the tracker app over the same
 * client paths twice, each run on topics (so a consumer group) and a schema of its own, in
 * `order`: in clear, and sealed (the input's `personal` members sealed with their clients' keys,
 * as the adapters publish them).
 */
async function trackerPass(
  brokers: string[],
  clients: number,
  masterKey: Buffer,
  order: readonly Variant[],
): Promise<{ clear: Sample; sealed: Sample; baseline: number }> {
  const prefix = `${uniqueName('bench-trk')}.`;
  const schema = uniqueName('bench_trk').replace(/-/g, '_');
  const baselineSchema = uniqueName('bench_trk_base').replace(/-/g, '_');
  const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const kafka = createKafka({ brokers, clientId: 'bench-tracker' });
  const admin = kafka.admin();
  await admin.connect();
  const publisher = new EventPublisher(kafka);
  const runs: Record<Variant, { prefix: string; database: DatabaseHandle; masterKey: string }> = {
    clear: { prefix: `${prefix}clear.`, database: openDatabase({ url: databaseUrl, schema }), masterKey: 'clear' },
    sealed: {
      prefix: `${prefix}sealed.`,
      database: openDatabase({ url: databaseUrl, schema: `${schema}_sealed` }),
      masterKey: masterKey.toString('hex'),
    },
  };
  const baselineDb = openDatabase({ url: databaseUrl, schema: baselineSchema });
  try {
    const paths = Array.from({ length: clients }, (_, n) => clientPath(crypto.randomUUID(), n + 1));
    const events = paths.flatMap((p) => p.events);
    const distinct = new Set(events.map((e) => e.event.id)).size;
    // As the adapters publish them in production; the client keys are created in the sealed run's schema.
    await migrateToLatest(runs.sealed.database);
    const vault = personalDataVault(runs.sealed.database.db, {
      personalDataMasterKey: masterKey,
      personalDataPreviousKeys: [],
      personalDataKeyCacheMs: 30_000,
    });
    const sealedEvents = await sealPersonal(
      vault,
      events.map((e) => e.event),
    );
    for (const variant of ['clear', 'sealed'] as const) {
      const names = new TopicNames(runs[variant].prefix);
      await provisionContractTopics(kafka, { names, partitions: 3, replicationFactor: 1 });
      for (const topic of ['referrals.v1', 'service-events.v1', 'outcomes.v1'] as const) {
        const onTopic = events.flatMap((e, n) =>
          e.topic === topic ? [variant === 'clear' ? e.event : sealedEvents[n]] : [],
        );
        for (let at = 0; at < onTopic.length; at += 500)
          await publisher.publish(names.of(topic), onTopic.slice(at, at + 500));
      }
    }
    const sealedCount = sealedEvents.filter((e) =>
      isSealedPersonal((e.data as { personal?: unknown }).personal),
    ).length;
    progress(
      `${NAME}: ${clients} client paths = ${distinct} canonical events on ${prefix}{clear,sealed}.* ` +
        `(${sealedCount} with a personal member, sealed on ${prefix}sealed.*)`,
    );

    const baseline = await baselinePass(
      baselineDb,
      events.map((e) => e.event),
    );
    progress(`${NAME} baseline (bare batched inserts of inbox + outbox rows): ${Math.round(baseline)} events/s`);

    const samples: Partial<Record<Variant, Sample>> = {};
    for (const variant of order)
      samples[variant] = await trackerRun(brokers, databaseUrl, variant, runs[variant], distinct, clients);
    await checkSameLedgerPersonal(runs.clear.database, runs.sealed.database);
    if (!samples.clear || !samples.sealed) throw new Error(`${NAME}: a variant did not run`);
    return { clear: samples.clear, sealed: samples.sealed, baseline };
  } finally {
    await publisher.disconnect();
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    await admin
      .deleteTopics({ topics })
      .catch((error: unknown) => progress(`could not delete bench topics: ${String(error)}`));
    await admin.disconnect();
    for (const handle of [runs.clear.database, runs.sealed.database, baselineDb]) {
      await dropSchema(handle).catch(() => undefined);
      await handle.close();
    }
  }
}

/**
 * The real tracker over the topics under `run.prefix`, in `run.database`'s schema. Timed from the
 * moment the app is up (migrations applied, topics provisioned, consumer group joined) until the
 * inbox holds every event: booting and shutting down (its consumer's last fetch waits out
 * kafkajs' maxWaitTime) are not applying events. Start-up is printed.
 */
async function trackerRun(
  brokers: string[],
  databaseUrl: string,
  variant: Variant,
  run: { prefix: string; database: DatabaseHandle; masterKey: string },
  distinct: number,
  clients: number,
): Promise<Sample> {
  const { database } = run;
  const t0 = performance.now();
  const app = await startEventApp(referralTrackerApp, {
    KAFKA_BROKERS: brokers.join(','),
    KAFKA_TOPIC_PREFIX: run.prefix,
    DATABASE_URL: databaseUrl,
    DATABASE_SCHEMA: database.schema,
    MINISTRY_PSEUDONYM_KEY: randomBytes(32).toString('hex'),
    PERSONAL_DATA_MASTER_KEY: run.masterKey,
    ...benchAppLogs('warn'),
  });
  const started = performance.now();
  // The consumer may have applied a first batch already: only what is applied from here counts.
  const appliedAtStart = await appliedCount(database);
  progress(
    `${NAME} ${variant}: app started (migrations, topics, group joined) in ${((started - t0) / 1000).toFixed(1)} s, ${appliedAtStart} events applied by then`,
  );
  const endCpuWindow = startCpuWindow();
  let seconds: number;
  let machine: CpuWindow | undefined;
  try {
    await waitForApplied(database, distinct, 600_000);
    seconds = (performance.now() - started) / 1000;
    machine = endCpuWindow?.(distinct - appliedAtStart);
    if (machine) progress(`${NAME} ${variant}: ${describeCpuWindow(machine, 'event')}`);
  } finally {
    await app.close();
  }
  await checkLedger(database, clients);
  const rate = (distinct - appliedAtStart) / seconds;
  progress(
    `${NAME} ${variant}: ${distinct - appliedAtStart} events applied in ${seconds.toFixed(1)} s = ${Math.round(rate)} events/s ` +
      `(after a start-up of ${((started - t0) / 1000).toFixed(1)} s${machine ? `; node CPU ${machine.perUnitUs.node} µs/event` : ''}; target >= 5,000 events/s)`,
  );
  return { rate, cpu: machine };
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
