import type { Admin } from 'kafkajs';
import { TopicNames, createKafka, provisionContractTopics, provisionTopics } from '@passerelle/messaging';
import { dropSchema, openDatabase } from '@passerelle/persistence';
import { startEventApp } from '@passerelle/runtime';
import { owAdapterApp } from '../../apps/ow-adapter/src/ow-adapter.app';
import {
  checkAgainstAdapter,
  prebuildAdapterOutput,
  replayPass,
  waitUntilCommitted,
  type PrebuiltOutput,
} from './adapter-output-replay';
import { benchAppLogs, envInt, progress, round, uniqueName, type BenchContext, type BenchResult } from './bench';
import { prefillEvents } from './bench-input';
import { numberedCaseRecord, owCaseRecordTemplates, rawCaseRecordEvent } from './ow-case-records';

/**
 * ow.adapter: raw OW case records -> canonical events through the real ow-adapter app (Nest
 * transport, ConsumerRunner, source validation, identity links in PostgreSQL, pure mapping,
 * canonical validation, acks=all publication), in raw records/s. Baseline, same run and same raw
 * records: a bare kafkajs consumer and producer publishing, for each raw record, the canonical
 * events the adapter publishes for it, encoded before timing (./adapter-output-replay.ts).
 */
const NAME = 'ow.adapter';
/** Adapter events compared byte for byte with the baseline's pre-built ones after the run. */
const CHECKED_EVENTS = 2_000;

export async function owAdapterBench({ brokers }: BenchContext): Promise<BenchResult> {
  const count = envInt('BENCH_ADAPTER_RECORDS', 20_000);
  // An un-measured pass first, on its own topics and schema: on a new broker the first consumer
  // group and the first idempotent producer wait seconds for their coordinators, which would
  // land on whichever variant runs first; and both variants' code is compiled by then.
  const warmup = envInt('BENCH_ADAPTER_WARMUP_RECORDS', 2_000);
  if (warmup > 0) {
    const w = await adapterPass(brokers, warmup);
    progress(
      `${NAME} warm-up (${warmup} records, not counted): ${Math.round(w.ours)} vs ${Math.round(w.baseline)} records/s`,
    );
  }
  const { ours, baseline } = await adapterPass(brokers, count);
  return {
    name: NAME,
    ours: Math.round(ours),
    baseline: Math.round(baseline),
    unit: 'records/s',
    ratio: round(ours / baseline),
  };
}

/** The baseline, then the adapter app, over the same `count` raw records on topics and a schema of their own. */
async function adapterPass(brokers: string[], count: number): Promise<{ ours: number; baseline: number }> {
  const prefix = `${uniqueName('bench-owa')}.`;
  const schema = uniqueName('bench_owa').replace(/-/g, '_');
  const names = new TopicNames(prefix);
  const kafka = createKafka({ brokers, clientId: 'bench-ow-adapter' });
  const admin = kafka.admin();
  await admin.connect();
  const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  try {
    const provisioned = await provisionContractTopics(kafka, { names, partitions: 3, replicationFactor: 1 });
    const input = names.of('ow.case-records.v1');
    const templates = owCaseRecordTemplates();
    const raws = Array.from({ length: count }, (_, n) =>
      rawCaseRecordEvent(numberedCaseRecord(templates, n, { recordIdPrefix: 'BENCH-', firstMemberId: 200_000_000 })),
    );
    const bytes = await prefillEvents(kafka, input, count, (n) => raws[n]);
    progress(`${NAME}: ${count} raw OW records (mean ${Math.round(bytes / count)} B) in ${input}`);

    // The baseline writes the same canonical topics under a prefix of its own.
    const baselineNames = new TopicNames(`${prefix}baseline.`);
    const output = prebuildAdapterOutput(raws, baselineNames);
    await provisionTopics(
      kafka,
      [...output.perTopic.keys()].map((t) => baselineNames.of(t)),
      { partitions: 3, replicationFactor: 1 },
    );
    progress(
      `${NAME}: pre-built ${output.events} canonical events (${(output.events / count).toFixed(2)} a record, ` +
        `mean value ${Math.round(output.valueBytes / output.events)} B, headers ${Math.round(output.headerBytes / output.events)} B) ` +
        `on ${[...output.perTopic].map(([t, n]) => `${t} ${n}`).join(', ')}`,
    );
    const baselineSeconds = await replayPass({
      kafka,
      admin,
      input,
      groupId: uniqueName('bench.owa.baseline'),
      output,
      timeoutMs: 300_000,
    });
    await expectEvents(admin, output, baselineNames, 'baseline');
    const baseline = count / baselineSeconds;
    progress(
      `${NAME} baseline (bare kafkajs publishing the pre-built events): ${count} records in ` +
        `${baselineSeconds.toFixed(2)} s = ${Math.round(baseline)} records/s`,
    );

    const env = {
      KAFKA_BROKERS: brokers.join(','),
      KAFKA_TOPIC_PREFIX: prefix,
      DATABASE_URL: databaseUrl,
      DATABASE_SCHEMA: schema,
      ...benchAppLogs('warn'),
    };
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const app = await startEventApp(owAdapterApp, env);
    const startup = (performance.now() - t0) / 1000;
    try {
      await waitUntilCommitted(admin, `${prefix}passerelle-ow-adapter`, input, 600_000);
    } finally {
      await app.close();
    }
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const deadLetters = (await admin.fetchTopicOffsets(names.of('ow.case-records.v1.dlq'))).reduce(
      (sum, p) => sum + Number(p.high),
      0,
    );
    if (deadLetters > 0) throw new Error(`${NAME}: ${deadLetters} record(s) dead-lettered`);
    await expectEvents(admin, output, names, 'ours');
    const published = await eventsOn(
      admin,
      provisioned.filter((t) => !t.endsWith('.dlq') && t !== input),
    );
    if (published !== output.events)
      throw new Error(`${NAME}: the adapter published ${published} events, not ${output.events}`);
    const checked = await checkAgainstAdapter(
      kafka,
      [...output.perTopic.keys()].map((t) => names.of(t)),
      output,
      Math.min(CHECKED_EVENTS, output.events),
    );
    const ours = count / seconds;
    progress(
      `${NAME} ours: ${count} records -> ${output.events} canonical events in ${seconds.toFixed(2)} s ` +
        `(start-up ${startup.toFixed(2)} s) = ${Math.round(ours)} records/s ` +
        `(node CPU ${((cpu.user + cpu.system) / count).toFixed(0)} µs/record, start-up included); ` +
        `${checked} of its events identical to the baseline's`,
    );
    return { ours, baseline };
  } finally {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    await admin
      .deleteTopics({ topics })
      .catch((error: unknown) => progress(`could not delete bench topics: ${String(error)}`));
    await admin.disconnect();
    const database = openDatabase({ url: databaseUrl, schema });
    await dropSchema(database).finally(() => database.close());
  }
}

/** Throws unless every canonical topic under `names` holds exactly the pre-built count of events. */
async function expectEvents(admin: Admin, output: PrebuiltOutput, names: TopicNames, variant: string): Promise<void> {
  for (const [topic, expected] of output.perTopic) {
    const actual = await eventsOn(admin, [names.of(topic)]);
    if (actual !== expected) throw new Error(`${NAME} ${variant}: ${actual} events on ${topic}, ${expected} expected`);
  }
}

async function eventsOn(admin: Admin, topics: string[]): Promise<number> {
  let total = 0;
  for (const topic of topics)
    total += (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0);
  return total;
}
