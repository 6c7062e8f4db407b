import { rmSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { Logger, type LoggerService } from '@nestjs/common';
import { LocalKafkaBroker } from '../../infra/kafka/local-broker';
import { progress, type Benchmark } from './bench';
import { owAdapterBench } from './ow-adapter.bench';
import { owBackfillBench } from './ow-backfill.bench';
import { passthroughBench } from './passthrough.bench';
import { trackerBench } from './tracker.bench';
import { gatewayBench } from './gateway.bench';

/**
 * `npm run bench [name-filter...]`: runs every registered benchmark against a real broker and
 * prints one JSON line per benchmark on stdout ({"name","ours","baseline","unit","ratio"});
 * progress goes to stderr. KAFKA_BROKERS selects an existing cluster, otherwise a local KRaft
 * broker is started for the run and stopped at the end (also on error, SIGINT and SIGTERM).
 */
export const benchmarks: Benchmark[] = [
  { name: 'messaging.passthrough', run: passthroughBench },
  { name: 'ow.adapter', run: owAdapterBench },
  { name: 'ow.backfill-mapping', run: owBackfillBench },
  { name: 'referral-tracker.apply', run: trackerBench },
  { name: 'gateway.submit', run: gatewayBench },
];

/** The repository root, whether this runs compiled (dist/test/bench) or from source (test/bench). */
const ROOT = resolve(__dirname, basename(resolve(__dirname, '..', '..')) === 'dist' ? '../../..' : '../..');

/** Nest's console logger writes to stdout; the bench keeps stdout for result lines only. */
const stderrLogger: LoggerService = {
  log: (message: unknown, context?: string) => writeLog('LOG', message, context),
  error: (message: unknown, ...rest: unknown[]) => writeLog('ERROR', message, rest.at(-1) as string | undefined),
  warn: (message: unknown, context?: string) => writeLog('WARN', message, context),
  debug: () => undefined,
  verbose: () => undefined,
};

function writeLog(level: string, message: unknown, context?: string): void {
  const text = message instanceof Error ? (message.stack ?? message.message) : String(message);
  process.stderr.write(`[${level}]${context ? ` [${context}]` : ''} ${text}\n`);
}

async function main(argv: string[]): Promise<number> {
  Logger.overrideLogger(stderrLogger);
  // kafkajs' one-off v2 partitioner notice; both variants use the same (default) partitioner.
  process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';
  const filters = argv.filter((a) => !a.startsWith('-'));
  const selected = benchmarks.filter((b) => filters.length === 0 || filters.some((f) => b.name.includes(f)));
  if (selected.length === 0) {
    progress(`no benchmark matches ${filters.join(' ')}; known: ${benchmarks.map((b) => b.name).join(', ')}`);
    return 2;
  }

  let broker: LocalKafkaBroker | undefined;
  let stopping: Promise<void> | undefined;
  const stopBroker = (): Promise<void> => {
    stopping ??= (async () => {
      if (!broker) return;
      progress('stopping local Kafka broker');
      await broker.stop();
      rmSync(broker.dataDir, { recursive: true, force: true });
    })();
    return stopping;
  };
  const bail = (why: string, code: number): void => {
    progress(why);
    void stopBroker()
      .catch((error: unknown) => progress(`could not stop the broker: ${String(error)}`))
      .finally(() => process.exit(code));
  };
  process.once('SIGINT', () => bail('SIGINT: stopping', 130));
  process.once('SIGTERM', () => bail('SIGTERM: stopping', 143));
  // Never leave a JVM behind, whatever blows up.
  process.once('uncaughtException', (error) => bail(`uncaught: ${error.stack ?? error.message}`, 1));
  process.once('unhandledRejection', (reason) => bail(`unhandled rejection: ${String(reason)}`, 1));

  try {
    let brokers: string[];
    if (process.env.KAFKA_BROKERS) {
      brokers = process.env.KAFKA_BROKERS.split(',')
        .map((b) => b.trim())
        .filter(Boolean);
      progress(`using KAFKA_BROKERS=${brokers.join(',')}`);
    } else {
      // Explicit paths: compiled into dist/, local-broker.ts would put its jar cache and data under dist/.
      broker = new LocalKafkaBroker({
        cacheDir: process.env.KAFKA_CACHE_DIR ?? join(ROOT, '.cache', 'kafka'),
        dataDir: join(ROOT, '.kafka', `bench-${process.pid}-${Date.now().toString(36)}`),
        heapMb: 1_024,
      });
      progress('starting local Kafka broker');
      brokers = await broker.start();
      progress(`local Kafka broker on ${brokers.join(',')}`);
    }

    let failures = 0;
    for (const benchmark of selected) {
      progress(`running ${benchmark.name}`);
      try {
        const result = await benchmark.run({ brokers });
        process.stdout.write(`${JSON.stringify(result)}\n`);
      } catch (error) {
        failures += 1;
        progress(`${benchmark.name} failed: ${(error as Error).stack ?? String(error)}`);
      }
    }
    return failures === 0 ? 0 : 1;
  } finally {
    await stopBroker();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    progress(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
