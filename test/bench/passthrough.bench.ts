import { createKafka, deterministicEventId, dlqTopicFor, provisionTopics } from '@passerelle/messaging';
import { envInt, progress, round, uniqueName, type BenchContext, type BenchResult } from './bench';
import { prefill } from './bench-input';
import { baselinePass, oursPass } from './passthrough-passes';

/**
 * messaging.passthrough: consume -> produce of CloudEvents records, in records/s.
 *
 * "ours" is libs/messaging as a service uses it: ConsumerRunner (manual commits, CloudEvents
 * decoding of every record, retry/DLQ machinery) with a handleBatch that passes the decoded events
 * on unchanged through EventPublisher.forward (acks=all, idempotent; the bytes as received, no
 * JSON re-encoding, as a router would). "baseline" is the same passthrough hand-written on bare
 * kafkajs: eachBatch, one idempotent acks=-1 send per kafkajs batch, explicit commit after it,
 * records copied as bytes (no decode). Both read the same pre-filled input topic with their own
 * consumer group and write their own output topic.
 */
export interface PassthroughOptions {
  /** Records pre-filled into the input topic (every pass moves all of them). */
  records?: number;
  /** Measured rounds; each runs both variants, the order alternating. Best pass of each is reported. */
  rounds?: number;
  /** Records of the un-measured warm-up pass of each variant (0 skips it). */
  warmupRecords?: number;
  partitions?: number;
  /** Distinct record keys (canonical client ids). */
  clients?: number;
  /** ConsumerRunner maxBatchSize for "ours" (see README: a production setting, not a bench trick). */
  maxBatchSize?: number;
  /** Give up on a pass after this long. */
  passTimeoutMs?: number;
}

const NAME = 'messaging.passthrough';

type Variant = 'baseline' | 'ours';

interface PassResult {
  variant: Variant;
  records: number;
  seconds: number;
  rate: number;
}

export async function passthroughBench(
  { brokers }: BenchContext,
  options: PassthroughOptions = {},
): Promise<BenchResult> {
  const records = options.records ?? envInt('BENCH_PASSTHROUGH_RECORDS', 100_000);
  const rounds = options.rounds ?? envInt('BENCH_ROUNDS', 2);
  const warmupRecords = options.warmupRecords ?? Math.min(10_000, records);
  const partitions = options.partitions ?? 3;
  const clients = options.clients ?? 1_000;
  const maxBatchSize = options.maxBatchSize ?? envInt('BENCH_MAX_BATCH_SIZE', 2_000);
  const passTimeoutMs = options.passTimeoutMs ?? 300_000;
  if (rounds < 1 || records < 1) throw new Error(`${NAME} needs at least one round and one record`);

  const kafka = createKafka({ brokers, clientId: 'bench-passthrough' });
  const admin = kafka.admin();
  await admin.connect();
  const created: string[] = [];
  const topic = async (prefix: string, withDlq = false): Promise<string> => {
    const name = uniqueName(prefix);
    const names = withDlq ? [name, dlqTopicFor(name)] : [name];
    await provisionTopics(kafka, names, { partitions, replicationFactor: 1 });
    created.push(...names);
    return name;
  };

  try {
    const clientIds = Array.from({ length: clients }, (_, i) =>
      deterministicEventId({ sourceSystem: 'bench', recordId: `client-${i}`, version: 1, type: 'client' }),
    );
    const runPass = async (variant: Variant, input: string, count: number): Promise<PassResult> => {
      const output = await topic(`bench.passthrough.${variant}.out`);
      const groupId = uniqueName(`bench.passthrough.${variant}`);
      const pass = variant === 'ours' ? oursPass : baselinePass;
      const cpu0 = process.cpuUsage();
      const seconds = await pass({
        kafka,
        admin,
        input,
        output,
        groupId,
        count,
        maxBatchSize,
        timeoutMs: passTimeoutMs,
      });
      const cpu = process.cpuUsage(cpu0);
      const result = { variant, records: count, seconds, rate: count / seconds };
      // CPU per record (this process, all threads, including the consumer's shutdown) is far less
      // sensitive than wall time to whatever else the machine runs.
      progress(
        `${NAME} ${variant}: ${count} records in ${seconds.toFixed(2)} s = ${Math.round(result.rate)} records/s ` +
          `(node CPU ${((cpu.user + cpu.system) / count).toFixed(1)} µs/record)`,
      );
      // Output topics go as soon as they are counted: ~140 MB each at 100k records.
      await admin.deleteTopics({ topics: [output] }).then(
        () => created.splice(created.indexOf(output), 1),
        () => undefined,
      );
      return result;
    };

    if (warmupRecords > 0) {
      const warmup = await topic('bench.passthrough.warmup', true);
      await prefill(kafka, warmup, warmupRecords, clientIds, 0);
      progress(`${NAME} warm-up (${warmupRecords} records, not reported)`);
      await runPass('baseline', warmup, warmupRecords);
      await runPass('ours', warmup, warmupRecords);
    }

    const input = await topic('bench.passthrough.in', true);
    const started = Date.now();
    const bytes = await prefill(kafka, input, records, clientIds, warmupRecords);
    progress(
      `${NAME} input ${input}: ${records} records, ${partitions} partitions, ${clients} keys, ` +
        `mean value ${Math.round(bytes / records)} B, filled in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );

    const passes: PassResult[] = [];
    for (let r = 0; r < rounds; r += 1) {
      const order: Variant[] = r % 2 === 0 ? ['baseline', 'ours'] : ['ours', 'baseline'];
      for (const variant of order) passes.push(await runPass(variant, input, records));
    }
    const rates = (variant: Variant): number[] =>
      passes.filter((p) => p.variant === variant).map((p) => Math.round(p.rate));
    progress(
      `${NAME} samples (records/s): baseline ${rates('baseline').join(', ')}; ours ${rates('ours').join(', ')}; best of each reported`,
    );
    const ours = Math.max(...rates('ours'));
    const baseline = Math.max(...rates('baseline'));
    return { name: NAME, ours, baseline, unit: 'records/s', ratio: round(ours / baseline) };
  } finally {
    await admin
      .deleteTopics({ topics: created })
      .catch((error: unknown) => progress(`could not delete bench topics: ${String(error)}`));
    await admin.disconnect();
  }
}
