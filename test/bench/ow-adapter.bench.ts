import type { Admin, Kafka } from 'kafkajs';
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
import { describeCpuWindow, startCpuWindow } from './machine-cpu';
import { numberedCaseRecord, owCaseRecordTemplates, rawCaseRecordEvent } from './ow-case-records';

/**
 * ow.adapter: raw OW case records -> canonical events through the real ow-adapter app (Nest
 * transport, ConsumerRunner, source validation, identity links in PostgreSQL, pure mapping,
 * canonical validation, acks=all publication), in raw records/s. Baseline, same run and same raw
 * records: a bare kafkajs consumer and producer publishing, for each raw record, the canonical
 * events the adapter publishes for it, encoded before timing (./adapter-output-replay.ts).
 */
const NAME = 'ow.adapter';
/** Adapter events compared byte for byte with the baseline's pre-built ones after each pass. */
const CHECKED_EVENTS = 2_000;

type Variant = 'baseline' | 'ours';

/** One variant's pass: records/s, and the node process' CPU per raw record (all its threads). */
interface Sample {
  rate: number;
  nodeCpuUs: number;
}

export async function owAdapterBench({ brokers }: BenchContext): Promise<BenchResult> {
  const count = envInt('BENCH_ADAPTER_RECORDS', 20_000);
  const rounds = envInt('BENCH_ROUNDS', 2);
  if (rounds < 1 || count < 1) throw new Error(`${NAME} needs at least one round and one record`);
  // An un-measured round first, on its own topics and schema: on a new broker the first consumer
  // group and the first idempotent producer wait seconds for their coordinators, which would
  // land on whichever variant runs first; and both variants' code is compiled by then.
  const warmup = envInt('BENCH_ADAPTER_WARMUP_RECORDS', 2_000);
  if (warmup > 0) {
    const w = await adapterRound(brokers, warmup, ['baseline', 'ours']);
    progress(`${NAME} warm-up (${warmup} records, not counted): ${w.ours.rate} vs ${w.baseline.rate} records/s`);
  }
  const samples: Record<Variant, Sample>[] = [];
  for (let r = 0; r < rounds; r += 1)
    samples.push(await adapterRound(brokers, count, r % 2 === 0 ? ['baseline', 'ours'] : ['ours', 'baseline']));
  const rates = (variant: Variant): number[] => samples.map((s) => s[variant].rate);
  const cpus = (variant: Variant): number[] => samples.map((s) => s[variant].nodeCpuUs);
  progress(
    `${NAME} samples (records/s): baseline ${rates('baseline').join(', ')}; ours ${rates('ours').join(', ')}; ` +
      'best of each reported',
  );
  const ours = Math.max(...rates('ours'));
  const baseline = Math.max(...rates('baseline'));
  return {
    name: NAME,
    ours,
    baseline,
    unit: 'records/s',
    ratio: round(ours / baseline),
    // Steadier than wall time on a shared machine: what each variant's own process spends a record.
    nodeCpuUsPerRecord: Math.min(...cpus('ours')),
    baselineNodeCpuUsPerRecord: Math.min(...cpus('baseline')),
  };
}

/** Both variants over the same `count` raw records, in `order`, on topics and a schema of their own. */
async function adapterRound(brokers: string[], count: number, order: Variant[]): Promise<Record<Variant, Sample>> {
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
    const canonicalTopics = [...output.perTopic.keys()];
    await provisionTopics(
      kafka,
      canonicalTopics.map((t) => baselineNames.of(t)),
      { partitions: 3, replicationFactor: 1 },
    );
    progress(
      `${NAME}: pre-built ${output.events} canonical events (${(output.events / count).toFixed(2)} a record, ` +
        `mean value ${Math.round(output.valueBytes / output.events)} B, headers ${Math.round(output.headerBytes / output.events)} B) ` +
        `on ${[...output.perTopic].map(([t, n]) => `${t} ${n}`).join(', ')}`,
    );

    const runBaseline = async (): Promise<number> => {
      const seconds = await replayPass({
        kafka,
        admin,
        input,
        groupId: uniqueName('bench.owa.baseline'),
        output,
        timeoutMs: 300_000,
      });
      await expectEvents(admin, output, baselineNames, 'baseline');
      return seconds;
    };
    const runOurs = async (): Promise<number> => {
      const env = {
        KAFKA_BROKERS: brokers.join(','),
        KAFKA_TOPIC_PREFIX: prefix,
        DATABASE_URL: databaseUrl,
        DATABASE_SCHEMA: schema,
        // Sealing is opt-in here: the check below compares ours with the baseline's clear events byte for byte.
        ...(process.env.PERSONAL_DATA_MASTER_KEY && { PERSONAL_DATA_MASTER_KEY: process.env.PERSONAL_DATA_MASTER_KEY }),
        ...benchAppLogs('warn'),
      };
      const t0 = performance.now();
      const app = await startEventApp(owAdapterApp, env);
      progress(`${NAME} ours: started in ${((performance.now() - t0) / 1000).toFixed(2)} s (timed)`);
      try {
        await waitUntilCommitted(admin, `${prefix}passerelle-ow-adapter`, input, 600_000);
      } finally {
        await app.close();
      }
      return (performance.now() - t0) / 1000;
    };

    const samples: Partial<Record<Variant, Sample>> = {};
    for (const variant of order) {
      const endCpuWindow = startCpuWindow();
      const cpu0 = process.cpuUsage();
      const seconds = variant === 'ours' ? await runOurs() : await runBaseline();
      const cpu = process.cpuUsage(cpu0);
      const sample = { rate: Math.round(count / seconds), nodeCpuUs: Math.round((cpu.user + cpu.system) / count) };
      samples[variant] = sample;
      progress(
        `${NAME} ${variant}: ${count} records in ${seconds.toFixed(2)} s = ${sample.rate} records/s, ` +
          `node CPU ${sample.nodeCpuUs} µs/record` +
          (endCpuWindow ? `; ${describeCpuWindow(endCpuWindow(count), 'record')}` : ''),
      );
    }

    const deadLetters = await eventsOn(admin, [names.of('ow.case-records.v1.dlq')]);
    if (deadLetters > 0) throw new Error(`${NAME}: ${deadLetters} record(s) dead-lettered`);
    await expectEvents(admin, output, names, 'ours');
    const published = await eventsOn(
      admin,
      provisioned.filter((t) => !t.endsWith('.dlq') && t !== input),
    );
    if (published !== output.events)
      throw new Error(`${NAME}: the adapter published ${published} events, not ${output.events}`);
    await checkSample(
      kafka,
      canonicalTopics.map((t) => names.of(t)),
      output,
    );
    if (!samples.ours || !samples.baseline) throw new Error(`${NAME}: a variant did not run`);
    return { ours: samples.ours, baseline: samples.baseline };
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

/** Compares a sample of what the adapter published with the baseline's pre-built events, byte for byte. */
async function checkSample(kafka: Kafka, topics: string[], output: PrebuiltOutput): Promise<void> {
  const checked = await checkAgainstAdapter(kafka, topics, output, Math.min(CHECKED_EVENTS, output.events));
  progress(`${NAME}: ${checked} of the adapter's events identical to the baseline's (key, value, headers)`);
}

/** Throws unless every canonical topic under `names` holds exactly the pre-built count of events. */
async function expectEvents(admin: Admin, output: PrebuiltOutput, names: TopicNames, variant: Variant): Promise<void> {
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
