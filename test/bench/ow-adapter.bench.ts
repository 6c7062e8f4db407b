import { randomBytes } from 'node:crypto';
import type { Admin } from 'kafkajs';
import { TopicNames, createKafka, provisionContractTopics, provisionTopics } from '@passerelle/messaging';
import { dropSchema, openDatabase, type DatabaseHandle } from '@passerelle/persistence';
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
import { benchVault, checkSealedAgainstPrebuilt, eventsOn, expectEvents, sealedRawInput } from './ow-adapter-sealing';
import { numberedCaseRecord, owCaseRecordTemplates, rawCaseRecordEvent } from './ow-case-records';

/**
 * ow.adapter: raw OW case records -> canonical events through the real ow-adapter app (Nest
 * transport, ConsumerRunner, source validation, identity links in PostgreSQL, pure mapping,
 * canonical validation, acks=all publication), in raw records/s; twice: with personal data in
 * clear (PERSONAL_DATA_MASTER_KEY=clear) and sealed as in production (raw input sealed as the
 * gateway seals it, opened, and every outgoing `personal` sealed with its client's key).
 * Baseline, same run and same raw records: a bare kafkajs consumer and producer publishing, for
 * each raw record, the canonical events the adapter publishes for it, encoded before timing
 * (./adapter-output-replay.ts).
 */
const NAME = 'ow.adapter';
/** Adapter events compared with the baseline's pre-built ones after each pass. */
const CHECKED_EVENTS = 2_000;

/** `clear` and `sealed`: the real adapter, without and with sealing of personal data. */
type Variant = 'baseline' | 'clear' | 'sealed';
const VARIANTS: Variant[] = ['baseline', 'clear', 'sealed'];

/** One variant's pass: records/s, and the node process' CPU per raw record (all its threads). */
interface Sample {
  rate: number;
  nodeCpuUs: number;
}

export async function owAdapterBench({ brokers }: BenchContext): Promise<BenchResult> {
  const count = envInt('BENCH_ADAPTER_RECORDS', 20_000);
  const rounds = envInt('BENCH_ROUNDS', 2);
  if (rounds < 1 || count < 1) throw new Error(`${NAME} needs at least one round and one record`);
  // The sealed variant's master key: its schema's client keys are created (wrapped) with it.
  const masterKey = randomBytes(32);
  // An un-measured round first, on its own topics and schemas: on a new broker the first consumer
  // group and the first idempotent producer wait seconds for their coordinators, which would
  // land on whichever variant runs first; and every variant's code is compiled by then.
  const warmup = envInt('BENCH_ADAPTER_WARMUP_RECORDS', 2_000);
  if (warmup > 0) {
    const w = await adapterRound(brokers, warmup, VARIANTS, masterKey);
    progress(
      `${NAME} warm-up (${warmup} records, not counted): sealed ${w.sealed.rate}, clear ${w.clear.rate}, ` +
        `baseline ${w.baseline.rate} records/s`,
    );
  }
  const samples: Record<Variant, Sample>[] = [];
  // The order rotates from round to round: each variant runs first, second and third in turn.
  for (let r = 0; r < rounds; r += 1)
    samples.push(
      await adapterRound(
        brokers,
        count,
        VARIANTS.map((_, i) => VARIANTS[(i + r) % 3]),
        masterKey,
      ),
    );
  const rates = (variant: Variant): number[] => samples.map((s) => s[variant].rate);
  const cpus = (variant: Variant): number[] => samples.map((s) => s[variant].nodeCpuUs);
  progress(
    `${NAME} samples (records/s): ${VARIANTS.map((v) => `${v} ${rates(v).join(', ')}`).join('; ')}; ` +
      'best of each reported',
  );
  const ours = Math.max(...rates('sealed'));
  const clearOurs = Math.max(...rates('clear'));
  const baseline = Math.max(...rates('baseline'));
  const sealedCpu = Math.min(...cpus('sealed'));
  const clearCpu = Math.min(...cpus('clear'));
  return {
    name: NAME,
    ours,
    baseline,
    unit: 'records/s',
    ratio: round(ours / baseline),
    // What sealing costs: the adapter in clear against the adapter as production runs it.
    clearOurs,
    sealingCost: round(1 - ours / clearOurs),
    // Steadier than wall time on a shared machine: what each variant's own process spends a record.
    nodeCpuUsPerRecord: sealedCpu,
    clearNodeCpuUsPerRecord: clearCpu,
    baselineNodeCpuUsPerRecord: Math.min(...cpus('baseline')),
    sealingCpuCost: round(1 - clearCpu / sealedCpu),
  };
}

/** What the real adapter runs on in one variant: its topic prefix (so its consumer group), input topic and schema. */
interface AppSetup {
  variant: 'clear' | 'sealed';
  prefix: string;
  names: TopicNames;
  input: string;
  schema: string;
  masterKey: string;
  /** Every topic provisioned under the prefix. */
  provisioned: string[];
}

/** Every variant over the same `count` raw records, in `order`, on topics and schemas of their own. */
async function adapterRound(
  brokers: string[],
  count: number,
  order: Variant[],
  masterKey: Buffer,
): Promise<Record<Variant, Sample>> {
  const prefix = `${uniqueName('bench-owa')}.`;
  const schema = uniqueName('bench_owa').replace(/-/g, '_');
  const kafka = createKafka({ brokers, clientId: 'bench-ow-adapter' });
  const admin = kafka.admin();
  await admin.connect();
  const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  // Each app variant on its own topics (so its own consumer group) and its own schema (its own links and keys).
  const setups: AppSetup[] = [];
  let sealedDb: DatabaseHandle | undefined;
  try {
    for (const [variant, variantPrefix, key] of [
      ['clear', prefix, 'clear'],
      ['sealed', `${prefix}sealed.`, masterKey.toString('hex')],
    ] as const) {
      const names = new TopicNames(variantPrefix);
      const provisioned = await provisionContractTopics(kafka, { names, partitions: 3, replicationFactor: 1 });
      const input = names.of('ow.case-records.v1');
      const variantSchema = variant === 'clear' ? schema : `${schema}_${variant}`;
      setups.push({ variant, prefix: variantPrefix, names, input, schema: variantSchema, masterKey: key, provisioned });
    }
    const [clear, sealed] = setups;
    const templates = owCaseRecordTemplates();
    const raws = Array.from({ length: count }, (_, n) =>
      rawCaseRecordEvent(numberedCaseRecord(templates, n, { recordIdPrefix: 'BENCH-', firstMemberId: 200_000_000 })),
    );
    const bytes = await prefillEvents(kafka, clear.input, count, (n) => raws[n]);
    progress(`${NAME}: ${count} raw OW records (mean ${Math.round(bytes / count)} B) in ${clear.input}`);
    // The same records as the gateway produces them, their client keys created in the sealed variant's schema.
    const opened = await benchVault(databaseUrl, sealed.schema, masterKey);
    sealedDb = opened.database;
    const sealedRaws = await sealedRawInput(opened.vault, raws);
    const sealedBytes = await prefillEvents(kafka, sealed.input, count, (n) => sealedRaws[n]);
    progress(`${NAME}: the same, sealed (mean ${Math.round(sealedBytes / count)} B), in ${sealed.input}`);

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
        input: clear.input,
        groupId: uniqueName('bench.owa.baseline'),
        output,
        timeoutMs: 300_000,
      });
      await expectEvents(admin, output, baselineNames, `${NAME} baseline`);
      return seconds;
    };
    const runApp = async (setup: AppSetup): Promise<number> => {
      const env = {
        KAFKA_BROKERS: brokers.join(','),
        KAFKA_TOPIC_PREFIX: setup.prefix,
        DATABASE_URL: databaseUrl,
        DATABASE_SCHEMA: setup.schema,
        PERSONAL_DATA_MASTER_KEY: setup.masterKey,
        ...benchAppLogs('warn'),
      };
      const t0 = performance.now();
      const app = await startEventApp(owAdapterApp, env);
      progress(`${NAME} ${setup.variant}: started in ${((performance.now() - t0) / 1000).toFixed(2)} s (timed)`);
      let committed: number;
      try {
        await waitUntilCommitted(admin, `${setup.prefix}passerelle-ow-adapter`, setup.input, 600_000);
        committed = performance.now();
      } finally {
        await app.close();
      }
      // Timed until the input is committed, as the baseline is: the shutdown after it waits out
      // the consumer's last fetch (kafkajs' maxWaitTime, 5 s), which is not adapting records.
      const end = performance.now();
      progress(
        `${NAME} ${setup.variant}: committed the input after ${((committed - t0) / 1000).toFixed(2)} s (timed), ` +
          `shut down in ${((end - committed) / 1000).toFixed(2)} s (not timed)`,
      );
      return (committed - t0) / 1000;
    };

    const samples: Partial<Record<Variant, Sample>> = {};
    for (const variant of order) {
      const endCpuWindow = startCpuWindow();
      const cpu0 = process.cpuUsage();
      const seconds = variant === 'baseline' ? await runBaseline() : await runApp(variant === 'clear' ? clear : sealed);
      const cpu = process.cpuUsage(cpu0);
      const sample = { rate: Math.round(count / seconds), nodeCpuUs: Math.round((cpu.user + cpu.system) / count) };
      samples[variant] = sample;
      progress(
        `${NAME} ${variant}: ${count} records in ${seconds.toFixed(2)} s = ${sample.rate} records/s, ` +
          `node CPU ${sample.nodeCpuUs} µs/record` +
          (endCpuWindow ? `; ${describeCpuWindow(endCpuWindow(count), 'record')}` : ''),
      );
    }

    for (const setup of setups) await expectAppOutput(admin, setup, output);
    // In clear the adapter's events are the pre-built ones byte for byte.
    const checked = await checkAgainstAdapter(
      kafka,
      canonicalTopics.map((t) => clear.names.of(t)),
      output,
      Math.min(CHECKED_EVENTS, output.events),
    );
    progress(`${NAME} clear: ${checked} of the adapter's events identical to the baseline's (key, value, headers)`);
    // Sealed, they are the same once their `personal` is opened. Sampled topic by topic: read
    // together, the first events could all come from a topic that carries no `personal`.
    const sealedCheck = { checked: 0, sealed: 0 };
    for (const topic of canonicalTopics) {
      const share = Math.min(Math.ceil(CHECKED_EVENTS / canonicalTopics.length), output.perTopic.get(topic) ?? 0);
      if (share === 0) continue;
      const one = await checkSealedAgainstPrebuilt(kafka, [sealed.names.of(topic)], output, share, opened.vault);
      sealedCheck.checked += one.checked;
      sealedCheck.sealed += one.sealed;
    }
    if (sealedCheck.sealed === 0) throw new Error(`${NAME} sealed: no event of the sample carries a personal member`);
    progress(
      `${NAME} sealed: ${sealedCheck.checked} of the adapter's events equal to the baseline's, ` +
        `the ${sealedCheck.sealed} with a personal member sealed and, opened, identical`,
    );
    if (!samples.clear || !samples.sealed || !samples.baseline) throw new Error(`${NAME}: a variant did not run`);
    return { baseline: samples.baseline, clear: samples.clear, sealed: samples.sealed };
  } finally {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    await admin
      .deleteTopics({ topics })
      .catch((error: unknown) => progress(`could not delete bench topics: ${String(error)}`));
    await admin.disconnect();
    await sealedDb?.close();
    for (const dropped of [schema, `${schema}_sealed`]) {
      const database = openDatabase({ url: databaseUrl, schema: dropped });
      await dropSchema(database).finally(() => database.close());
    }
  }
}

/** Throws unless the adapter dead-lettered nothing and published exactly the pre-built events, per topic. */
async function expectAppOutput(admin: Admin, setup: AppSetup, output: PrebuiltOutput): Promise<void> {
  const what = `${NAME} ${setup.variant}`;
  const deadLetters = await eventsOn(admin, [setup.names.of('ow.case-records.v1.dlq')]);
  if (deadLetters > 0) throw new Error(`${what}: ${deadLetters} record(s) dead-lettered`);
  await expectEvents(admin, output, setup.names, what);
  const published = await eventsOn(
    admin,
    setup.provisioned.filter((t) => !t.endsWith('.dlq') && t !== setup.input),
  );
  if (published !== output.events)
    throw new Error(`${what}: the adapter published ${published} events, not ${output.events}`);
}
