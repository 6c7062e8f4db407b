import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { CompressionTypes, Partitioners } from 'kafkajs';
import { mintDevToken } from '@passerelle/auth';
import { schemaIdForPath, schemaRegistry, type OwCaseRecord } from '@passerelle/contracts';
import { TopicNames, createKafka } from '@passerelle/messaging';
import { dropSchema, openDatabase } from '@passerelle/persistence';
import { createGateway } from '../../apps/gateway/src/create-gateway';
import { loadGatewayConfig } from '../../apps/gateway/src/gateway.config';
import { readFixture } from '../support/client-path';
import { benchAppLogs, envInt, progress, round, uniqueName, type BenchContext, type BenchResult } from './bench';
import { runLoad, type LoadPlan, type LoadResult } from './http-load';

const NAME = 'gateway.submit';
const OW_SCHEMA = schemaIdForPath('sources/ow-case-record.json');

/**
 * gateway.submit: referral submissions (`POST /v1/referrals`) per second through the real gateway
 * (JWT check, rate limit, Idempotency-Key claim and answer, schema and code checks, acks=all
 * produce, submission row, audit row), closed loop at BENCH_HTTP_CONCURRENCY requests in flight;
 * then p50 / p99 latency at a steady BENCH_HTTP_RATE requests/s (open loop, as many rounds in
 * alternating order, the round with the lower p99 reported for each). Baseline, same run:
 * a bare Fastify endpoint that validates the same body against the same schema and produces it
 * to Kafka with acks=all (same idempotent producer settings), nothing else.
 */
export async function gatewayBench({ brokers }: BenchContext): Promise<BenchResult> {
  const seconds = envInt('BENCH_HTTP_SECONDS', 10);
  const concurrency = envInt('BENCH_HTTP_CONCURRENCY', 16);
  const rate = envInt('BENCH_HTTP_RATE', 200);
  const rounds = envInt('BENCH_ROUNDS', 2);
  const schema = uniqueName('bench_gw').replace(/-/g, '_');
  const prefix = `${schema}.`;
  const config = loadGatewayConfig({
    KAFKA_BROKERS: brokers.join(','),
    KAFKA_TOPIC_PREFIX: prefix,
    DATABASE_URL: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    DATABASE_SCHEMA: schema,
    // Sealed, as production runs (a key of its own per run); PERSONAL_DATA_MASTER_KEY=clear gives
    // the figure without sealing, to compare.
    PERSONAL_DATA_MASTER_KEY: process.env.PERSONAL_DATA_MASTER_KEY ?? randomBytes(32).toString('hex'),
    ...benchAppLogs('error'),
    RATE_LIMIT_PER_SECOND: '1000000',
    RATE_LIMIT_BURST: '1000000',
  });
  const gateway = await createGateway(config);
  await gateway.listen(0, '127.0.0.1');
  const ours = `http://127.0.0.1:${(gateway.getHttpServer().address() as AddressInfo).port}/v1/referrals`;

  const kafka = createKafka({ brokers, clientId: 'bench-bare-fastify' });
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  const topic = new TopicNames(prefix).of('ow.case-records.v1');
  const bare = Fastify({ bodyLimit: config.bodyLimitBytes });
  bare.post('/referrals', async (request, reply) => {
    const valid = schemaRegistry().validate<OwCaseRecord>(OW_SCHEMA, request.body);
    if (!valid.ok) return reply.code(400).send({ errors: valid.errors });
    await producer.send({
      topic,
      acks: -1,
      compression: CompressionTypes.None,
      messages: [{ key: valid.value.personal.memberId, value: JSON.stringify(valid.value) }],
    });
    return reply.code(202).send({ accepted: true });
  });
  await bare.listen({ port: 0, host: '127.0.0.1' });
  const baseline = `http://127.0.0.1:${(bare.server.address() as AddressInfo).port}/referrals`;

  const template = readFixture('ow-case-record/marcus-okafor-accelerated.json');
  const token = await mintDevToken(
    { org: `ow:${template.deliveryAgent.code}`, scopes: ['referrals:write'], ttlSeconds: 3_600 },
    config,
  );
  const plan = (url: string, extra: Partial<LoadPlan>): LoadPlan => ({
    url,
    headers: url === ours ? { authorization: `Bearer ${token}` } : {},
    template,
    seconds,
    tag: uniqueName('r'),
    ...extra,
  });
  const checked = (what: string, result: LoadResult): LoadResult => {
    progress(
      `${NAME} ${what}: ${Math.round(result.requestsPerSecond)} req/s, p50 ${round(result.p50Ms, 1)} ms, p99 ${round(result.p99Ms, 1)} ms, statuses ${JSON.stringify(result.statuses)}`,
    );
    if (result.failed > 0)
      throw new Error(`${what}: ${result.failed} requests were not accepted (${JSON.stringify(result.statuses)})`);
    return result;
  };

  try {
    // Warm both (JIT, connections, schema compilation) before anything is measured.
    await runLoad(plan(ours, { seconds: 2, concurrency: 4 }));
    await runLoad(plan(baseline, { seconds: 2, concurrency: 4 }));
    const throughput = { ours: [] as number[], baseline: [] as number[] };
    for (let r = 0; r < rounds; r += 1) {
      const order = r % 2 === 0 ? (['ours', 'baseline'] as const) : (['baseline', 'ours'] as const);
      for (const variant of order) {
        const result = checked(
          `${variant} closed loop (${concurrency} in flight)`,
          await runLoad(plan(variant === 'ours' ? ours : baseline, { concurrency })),
        );
        throughput[variant].push(result.requestsPerSecond);
      }
    }
    // Steady load in rounds of alternating order too: a variant measured right after the other's
    // heaviest phase would pay for its leftovers (checkpoints, collections). Lowest p99 kept.
    const steady = { ours: [] as LoadResult[], baseline: [] as LoadResult[] };
    for (let r = 0; r < rounds; r += 1) {
      const order = r % 2 === 0 ? (['ours', 'baseline'] as const) : (['baseline', 'ours'] as const);
      for (const variant of order)
        steady[variant].push(
          checked(`${variant} at ${rate} req/s`, await runLoad(plan(variant === 'ours' ? ours : baseline, { rate }))),
        );
    }
    const calmest = (results: LoadResult[]): LoadResult => results.reduce((a, b) => (b.p99Ms < a.p99Ms ? b : a));
    const steadyOurs = calmest(steady.ours);
    const steadyBaseline = calmest(steady.baseline);
    const best = (values: number[]): number => Math.max(...values);
    return {
      name: NAME,
      ours: Math.round(best(throughput.ours)),
      baseline: Math.round(best(throughput.baseline)),
      unit: 'requests/s',
      ratio: round(best(throughput.ours) / best(throughput.baseline)),
      steadyRate: rate,
      p50Ms: round(steadyOurs.p50Ms, 1),
      p99Ms: round(steadyOurs.p99Ms, 1),
      baselineP50Ms: round(steadyBaseline.p50Ms, 1),
      baselineP99Ms: round(steadyBaseline.p99Ms, 1),
    };
  } finally {
    await bare.close();
    await producer.disconnect();
    await gateway.close();
    const database = openDatabase({ url: config.databaseUrl, schema });
    await dropSchema(database);
    await database.close();
    const admin = kafka.admin();
    await admin.connect();
    await admin
      .deleteTopics({ topics: (await admin.listTopics()).filter((t) => t.startsWith(prefix)) })
      .catch(() => undefined);
    await admin.disconnect();
  }
}
