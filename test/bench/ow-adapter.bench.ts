import { readFileSync } from 'node:fs';
import type { Admin } from 'kafkajs';
import { join, resolve } from 'node:path';
import type { OwCaseRecord } from '@passerelle/contracts';
import {
  TopicNames,
  createKafka,
  deterministicEventId,
  provisionContractTopics,
  provisionTopics,
  type CloudEvent,
} from '@passerelle/messaging';
import { dropSchema, openDatabase } from '@passerelle/persistence';
import { startEventApp } from '@passerelle/runtime';
import { owAdapterApp } from '../../apps/ow-adapter/src/ow-adapter.app';
import { benchAppLogs, progress, round, sleep, uniqueName, type BenchContext, type BenchResult } from './bench';
import { baselinePass, envInt, prefillEvents } from './passthrough.bench';

/**
 * ow.adapter: raw OW case records -> canonical events through the real ow-adapter app (Nest
 * transport, ConsumerRunner, source validation, identity links in PostgreSQL, pure mapping,
 * canonical validation, acks=all publication), in raw records/s. Baseline: the passthrough
 * baseline of messaging.passthrough (bare kafkajs eachBatch, one send per batch, bytes copied)
 * over the same raw records, in the same run.
 */
const NAME = 'ow.adapter';
const RAW_TYPE = 'ca.on.passerelle.ow-case-record.received';

export async function owAdapterBench({ brokers }: BenchContext): Promise<BenchResult> {
  const count = envInt('BENCH_ADAPTER_RECORDS', 20_000);
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
    const templates = owTemplates();
    const bytes = await prefillEvents(kafka, input, count, (n) => rawCaseRecord(templates, n));
    progress(`${NAME}: ${count} raw OW records (mean ${Math.round(bytes / count)} B) in ${input}`);

    const baselineOutput = names.of('bench.baseline.out');
    await provisionTopics(kafka, [baselineOutput], { partitions: 3, replicationFactor: 1 });
    const baselineSeconds = await baselinePass({
      kafka,
      admin,
      input,
      output: baselineOutput,
      groupId: uniqueName('bench.owa.baseline'),
      count,
      maxBatchSize: 500,
      timeoutMs: 300_000,
    });
    const baseline = count / baselineSeconds;
    progress(`${NAME} baseline (passthrough of the raw records): ${Math.round(baseline)} records/s`);

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
    const canonical = await eventsOn(
      admin,
      provisioned.filter((t) => !t.endsWith('.dlq') && t !== input && t !== baselineOutput),
    );
    const ours = count / seconds;
    progress(
      `${NAME} ours: ${count} records -> ${canonical} canonical events in ${seconds.toFixed(2)} s = ${Math.round(ours)} records/s ` +
        `(node CPU ${((cpu.user + cpu.system) / count).toFixed(0)} µs/record, start-up included)`,
    );
    return {
      name: NAME,
      ours: Math.round(ours),
      baseline: Math.round(baseline),
      unit: 'records/s',
      ratio: round(ours / baseline),
    };
  } finally {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    await admin
      .deleteTopics({ topics })
      .catch((error: Error) => progress(`could not delete bench topics: ${error.message}`));
    await admin.disconnect();
    const database = openDatabase({ url: databaseUrl, schema });
    await dropSchema(database).finally(() => database.close());
  }
}

function owTemplates(): OwCaseRecord[] {
  const root = resolve(__dirname, '..', '..', ...(__dirname.includes(join('dist', 'test')) ? ['..'] : []));
  return readFileSync(join(root, 'test', 'fixtures', 'sources', 'ow-case-record.ndjson'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as OwCaseRecord);
}

/** Record `n` of the run: a fixture with its own member and record id, as a gateway would post it. */
export function rawCaseRecord(templates: OwCaseRecord[], n: number): CloudEvent<OwCaseRecord> {
  const template = templates[n % templates.length];
  const record: OwCaseRecord = {
    ...template,
    sourceRecordId: `BENCH-${n}`,
    personal: { ...template.personal, memberId: String(200_000_000 + n) },
  };
  return {
    specversion: '1.0',
    id: deterministicEventId({
      sourceSystem: 'bench',
      recordId: record.sourceRecordId,
      version: record.recordVersion,
      type: RAW_TYPE,
    }),
    source: '/v1/ow/case-records',
    type: RAW_TYPE,
    time: record.recordedAt,
    partitionkey: record.personal.memberId,
    datacontenttype: 'application/json',
    data: record,
  };
}

async function waitUntilCommitted(admin: Admin, groupId: string, topic: string, timeoutMs: number): Promise<void> {
  const end = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, p.high]));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    if (committed.partitions.every((p) => p.offset === end.get(p.partition))) return;
    if (Date.now() > deadline)
      throw new Error(`${NAME}: ${groupId} did not reach the end of ${topic} in ${timeoutMs} ms`);
    await sleep(200);
  }
}

async function eventsOn(admin: Admin, topics: string[]): Promise<number> {
  let total = 0;
  for (const topic of topics)
    total += (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0);
  return total;
}
