import { CompressionTypes, type Admin, type Consumer, type Kafka, type Message } from 'kafkajs';
import {
  ConsumerRunner,
  EventPublisher,
  createKafka,
  deterministicEventId,
  dlqTopicFor,
  encodeCloudEvent,
  provisionTopics,
  type CloudEvent,
} from '@passerelle/messaging';
import { progress, round, sleep, uniqueName, type BenchContext, type BenchResult } from './bench';

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
const POLL_MS = 200;
const EVENT_TYPE = 'ca.on.passerelle.referral.submitted';

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
      .catch((error: Error) => progress(`could not delete bench topics: ${error.message}`));
    await admin.disconnect();
  }
}

export interface PassSetup {
  kafka: Kafka;
  admin: Admin;
  input: string;
  output: string;
  groupId: string;
  count: number;
  maxBatchSize: number;
  timeoutMs: number;
}

/** libs/messaging: ConsumerRunner -> handleBatch -> EventPublisher.forward. Returns seconds. */
export async function oursPass(setup: PassSetup): Promise<number> {
  const { kafka, output, groupId } = setup;
  const publisher = new EventPublisher(kafka);
  await publisher.connect();
  let deadLetters = 0;
  const runner = new ConsumerRunner({
    kafka,
    groupId,
    topics: [setup.input],
    publisher,
    maxAttempts: 3,
    retryBaseMs: 200,
    partitionsConsumedConcurrently: 3,
    maxBatchSize: setup.maxBatchSize,
    fromBeginning: true,
    onDeadLetter: () => {
      deadLetters += 1;
    },
    handleBatch: async (events) => {
      await publisher.forward(output, events);
    },
  });
  let crashed: Error | undefined;
  runner.on(runner.events.CRASH, (event) => {
    crashed = event.payload.error;
  });
  try {
    const t0 = performance.now();
    await runner.start();
    await waitUntilDone(
      setup,
      () => crashed ?? (deadLetters > 0 ? new Error(`${deadLetters} record(s) dead-lettered`) : undefined),
    );
    return (performance.now() - t0) / 1000;
  } finally {
    await runner.stop().catch(() => undefined);
    await publisher.disconnect().catch(() => undefined);
  }
}

/** Bare kafkajs, hand-written: eachBatch, one send per batch, explicit commit. Returns seconds. */
export async function baselinePass(setup: PassSetup): Promise<number> {
  const { kafka, output, groupId } = setup;
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  // Same consumer settings as ConsumerRunner builds (fetch sizes left at kafkajs defaults in both).
  const consumer: Consumer = kafka.consumer({
    groupId,
    sessionTimeout: 30_000,
    heartbeatInterval: 3_000,
    allowAutoTopicCreation: false,
    retry: { retries: 10 },
  });
  let crashed: Error | undefined;
  consumer.on(consumer.events.CRASH, (event) => {
    crashed = event.payload.error;
  });
  try {
    const t0 = performance.now();
    await consumer.connect();
    await consumer.subscribe({ topics: [setup.input], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 3,
      eachBatch: async ({ batch, resolveOffset, commitOffsetsIfNecessary, heartbeat }) => {
        if (batch.messages.length === 0) return;
        const messages: Message[] = batch.messages.map((m) => ({ key: m.key, value: m.value, headers: m.headers }));
        await producer.send({ topic: output, messages, acks: -1, compression: CompressionTypes.None });
        const last = batch.messages[batch.messages.length - 1].offset;
        resolveOffset(last);
        await commitOffsetsIfNecessary({
          topics: [
            {
              topic: batch.topic,
              partitions: [{ partition: batch.partition, offset: (BigInt(last) + 1n).toString() }],
            },
          ],
        });
        await heartbeat();
      },
    });
    await waitUntilDone(setup, () => crashed);
    return (performance.now() - t0) / 1000;
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
  }
}

/**
 * Done when the output topic's high watermarks sum to `count` (no consumer group involved) and
 * the group committed the input topic up to its end.
 */
async function waitUntilDone(setup: PassSetup, failed: () => Error | undefined): Promise<void> {
  const { admin, input, output, groupId, count } = setup;
  const inputEnd = new Map((await admin.fetchTopicOffsets(input)).map((p) => [p.partition, p.high]));
  const deadline = Date.now() + setup.timeoutMs;
  let produced = 0;
  for (;;) {
    const error = failed();
    if (error) throw error;
    const outOffsets = await admin.fetchTopicOffsets(output);
    produced = outOffsets.reduce((sum, p) => sum + Number(p.high), 0);
    if (produced >= count) {
      const [committed] = await admin.fetchOffsets({ groupId, topics: [input] });
      if (committed.partitions.every((p) => p.offset === inputEnd.get(p.partition))) return;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `${NAME}: pass of ${groupId} timed out after ${setup.timeoutMs} ms (${produced}/${count} records out)`,
      );
    }
    await sleep(POLL_MS);
  }
}

/** Pre-fills `topic` with `count` binary-mode CloudEvents in large concurrent batches (not measured). */
export async function prefill(
  kafka: Kafka,
  topic: string,
  count: number,
  clientIds: string[],
  firstSeq: number,
): Promise<number> {
  return prefillEvents(kafka, topic, count, (n) => sampleEvent(firstSeq + n, clientIds[n % clientIds.length]));
}

/** Pre-fills `topic` with the events `make(0..count-1)` builds; returns the bytes of their values. */
export async function prefillEvents(
  kafka: Kafka,
  topic: string,
  count: number,
  make: (n: number) => CloudEvent,
): Promise<number> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  let bytes = 0;
  try {
    const batchSize = 500; // < 1 MB per partition batch (message.max.bytes) with 3+ partitions
    const inFlight = 4;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < count) {
        const from = next;
        const to = Math.min(count, from + batchSize);
        next = to;
        const messages: Message[] = [];
        for (let n = from; n < to; n += 1) {
          const message = encodeCloudEvent(make(n));
          bytes += (message.value as Buffer).length;
          messages.push(message);
        }
        await producer.send({ topic, messages, acks: -1, compression: CompressionTypes.None });
      }
    };
    await Promise.all(Array.from({ length: inFlight }, worker));
  } finally {
    await producer.disconnect();
  }
  return bytes;
}

const GIVEN = ['Éloïse', 'Mohamed', 'Priya', 'Jean-François', 'Aaliyah', 'Wei', 'Connor', 'Fatima', 'Mateo', 'Nokomis'];
const FAMILY = ['Tremblay-Côté', 'Singh', 'Nguyen', 'MacDonald', 'Okafor', 'Gagnon', 'Chen', 'Roy', 'Abdi', 'Wabasse'];
const AGENTS = [
  { code: 'TOR', name: 'City of Toronto', office: 'Etobicoke North', catchment: 'M9V' },
  { code: 'OTT', name: 'City of Ottawa', office: 'Vanier', catchment: 'K1L' },
  { code: 'KDSB', name: 'Kenora District Services Board', office: 'Dryden', catchment: 'P8N' },
  { code: 'SUD', name: 'City of Greater Sudbury', office: 'Rainbow Centre', catchment: 'P3E' },
];

/** A referral.submitted as the OW adapter emits it: ~1 KB of JSON, personal data under `personal`. */
export function sampleEvent(n: number, clientId: string): CloudEvent<Record<string, unknown>> {
  const agent = AGENTS[n % AGENTS.length];
  const recordId = `OW-${agent.code}-${String(n).padStart(8, '0')}`;
  const day = String((n % 28) + 1).padStart(2, '0');
  return {
    specversion: '1.0',
    id: deterministicEventId({
      sourceSystem: `sams:${agent.code.toLowerCase()}`,
      recordId,
      version: 1,
      type: EVENT_TYPE,
    }),
    source: `/ow/sams/${agent.code.toLowerCase()}`,
    type: EVENT_TYPE,
    time: `2026-03-${day}T14:${String(n % 60).padStart(2, '0')}:05.123Z`,
    subject: `referral/${recordId}`,
    dataschema: 'https://schemas.passerelle.ontario.ca/canonical/referral.json',
    correlationid: `corr-${recordId}`,
    causationid: `ow-case-record-${recordId}-v1`,
    partitionkey: clientId,
    datacontenttype: 'application/json',
    data: {
      referralId: recordId,
      clientId,
      program: n % 7 === 0 ? 'ODSP' : 'OW',
      status: 'requested',
      businessStatus: 'routed',
      submittedAt: `2026-03-${day}T14:00:00.000Z`,
      deliveryAgent: { code: agent.code, name: agent.name, office: agent.office },
      referrer: {
        org: `ow:${agent.code.toLowerCase()}`,
        caseworkerId: `CW-${(n * 7) % 9973}`,
        phone: '+1-416-555-0142',
      },
      service: { code: 'EO-ES', label: { en: 'Employment Services', fr: "Services d'emploi" } },
      provider: { id: `eo:provider-${(n % 120) + 1}`, catchment: agent.catchment, assignedBy: 'catchment' },
      consent: {
        given: true,
        givenAt: `2026-03-${day}T13:55:00.000Z`,
        scope: ['share-with-eo', 'outcomes'],
        version: '2025-06',
      },
      goals: ['full-time-employment', n % 2 === 0 ? 'skills-training' : 'job-search-support'],
      barriers: n % 3 === 0 ? ['transportation', 'childcare'] : ['language'],
      personal: {
        givenName: GIVEN[n % GIVEN.length],
        familyName: FAMILY[(n >> 3) % FAMILY.length],
        birthDate: `19${70 + (n % 30)}-0${(n % 9) + 1}-${day}`,
        email: `client${n}@example.ca`,
        phone: `+1-705-555-${String(n % 10_000).padStart(4, '0')}`,
        preferredLanguage: n % 4 === 0 ? 'fr' : 'en',
        address: {
          line1: `${(n % 900) + 10} Main Street`,
          city: agent.name.replace(/^City of /, ''),
          province: 'ON',
          postalCode: `${agent.catchment} 2B${n % 10}`,
        },
        sourceIds: { sams: `SAMS-${agent.code}-${(n * 31) % 999_983}`, oen: null },
      },
      notes: 'Client interested in warehouse or retail work; has a G2 licence; prefers morning appointments.',
    },
  };
}

export function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name}=${raw} is not a non-negative integer`);
  return value;
}
