import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';

/**
 * A real single-node Apache Kafka broker (KRaft, broker+controller in one JVM) for development,
 * tests and benchmarks on machines without Docker. Jars come from Maven Central through
 * `infra/kafka/pom.xml`; nothing here fakes Kafka.
 */
export interface LocalKafkaBrokerOptions {
  /** Kafka version to fetch (3.9.x by default; 4.1.x also works). */
  version?: string;
  /** Client port; 0 picks a free one. */
  port?: number;
  /** Storage + logs. Reused as-is when it already holds a formatted log dir (restart). */
  dataDir?: string;
  /** Where fetched jars are cached, per version. */
  cacheDir?: string;
  heapMb?: number;
  startTimeoutMs?: number;
  stopTimeoutMs?: number;
  /**
   * Run the JVM in its own process group, so a terminal's Ctrl-C reaches only the supervisor,
   * which stops the apps first and the broker last (npm start). Tests leave it off: Ctrl-C on
   * jest then stops the broker too.
   */
  ownProcessGroup?: boolean;
  /** KRaft cluster id for a fresh log dir (22-character base64url); random by default. */
  clusterId?: string;
}

/** The checkout's root (holds infra/kafka/pom.xml), from the sources or from their build in dist/. */
export function findRepoRoot(from = __dirname): string {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'infra', 'kafka', 'pom.xml'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no infra/kafka/pom.xml above ${from}`);
  }
}

const REPO_ROOT = findRepoRoot();
export const DEFAULT_KAFKA_VERSION = '3.9.1';
const READY_LINE = 'Kafka Server started';

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** Fetches the broker jars once per version with Maven; later calls hit the cache. */
export function ensureKafkaJars(version = DEFAULT_KAFKA_VERSION, cacheDir = defaultCacheDir()): string {
  const libDir = join(cacheDir, version, 'libs');
  const marker = join(cacheDir, version, '.complete');
  if (existsSync(marker)) return libDir;
  mkdirSync(libDir, { recursive: true });
  const result = spawnSync(
    'mvn',
    [
      '-q',
      '-B',
      '-f',
      join(REPO_ROOT, 'infra', 'kafka', 'pom.xml'),
      'dependency:copy-dependencies',
      `-Dkafka.version=${version}`,
      `-DoutputDirectory=${libDir}`,
      '-DincludeScope=runtime',
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
  if (result.status !== 0) {
    throw new Error(
      `Could not fetch Kafka ${version} from Maven Central (mvn exit ${result.status}): ${result.stderr || result.stdout || result.error}`,
    );
  }
  if (!readdirSync(libDir).some((f) => f.startsWith('kafka_2.13-'))) {
    throw new Error(`Maven finished but ${libDir} holds no kafka_2.13 jar`);
  }
  writeFileSync(marker, new Date().toISOString());
  return libDir;
}

export function defaultCacheDir(): string {
  return process.env.KAFKA_CACHE_DIR ?? join(REPO_ROOT, '.cache', 'kafka');
}

export class LocalKafkaBroker {
  readonly version: string;
  private port: number;
  private controllerPort = 0;
  readonly dataDir: string;
  private readonly cacheDir: string;
  private readonly heapMb: number;
  private readonly startTimeoutMs: number;
  private readonly stopTimeoutMs: number;
  private readonly ownProcessGroup: boolean;
  private readonly clusterId: string;
  private process?: ChildProcess;
  private exited?: Promise<void>;

  constructor(options: LocalKafkaBrokerOptions = {}) {
    this.version = options.version ?? process.env.KAFKA_VERSION ?? DEFAULT_KAFKA_VERSION;
    this.port = options.port ?? 0;
    this.dataDir =
      options.dataDir ?? join(REPO_ROOT, '.kafka', `broker-${process.pid}-${randomBytes(3).toString('hex')}`);
    this.cacheDir = options.cacheDir ?? defaultCacheDir();
    this.heapMb = options.heapMb ?? 512;
    this.startTimeoutMs = options.startTimeoutMs ?? 90_000;
    this.stopTimeoutMs = options.stopTimeoutMs ?? 15_000;
    this.ownProcessGroup = options.ownProcessGroup ?? false;
    this.clusterId = options.clusterId ?? randomBytes(16).toString('base64url');
  }

  get brokers(): string[] {
    return [`127.0.0.1:${this.port}`];
  }

  get running(): boolean {
    return this.process !== undefined && this.process.exitCode === null && this.process.signalCode === null;
  }

  async start(): Promise<string[]> {
    if (this.running) return this.brokers;
    const libDir = ensureKafkaJars(this.version, this.cacheDir);
    if (this.port === 0) this.port = await freePort();
    if (this.controllerPort === 0) this.controllerPort = await freePort();
    const logDir = join(this.dataDir, 'log');
    mkdirSync(logDir, { recursive: true });
    const propsFile = join(this.dataDir, 'server.properties');
    writeFileSync(propsFile, this.serverProperties(logDir));
    const log4jFile = join(this.dataDir, 'log4j.properties');
    writeFileSync(log4jFile, LOG4J_PROPERTIES);
    const classpath = `${libDir}/*`;
    const jvm = [
      `-Xmx${this.heapMb}m`,
      `-Xms${Math.min(256, this.heapMb)}m`,
      // Kafka's own start scripts' collector settings (kafka-run-class.sh): short G1 pauses, so a
      // collection does not hold acks=all produce requests for G1's default 200 ms target.
      '-XX:+UseG1GC',
      '-XX:MaxGCPauseMillis=20',
      '-XX:InitiatingHeapOccupancyPercent=35',
      '-XX:+ExplicitGCInvokesConcurrent',
      '-Djava.awt.headless=true',
      `-Dlog4j.configuration=file:${log4jFile}`,
      '-cp',
      classpath,
    ];

    // Format only a fresh log dir: a restart must keep the topics and offsets it had.
    if (!existsSync(join(logDir, 'meta.properties'))) {
      const format = spawnSync(
        'java',
        // `--cluster-id=<id>`: a base64url id may start with '-', which a separate argument would
        // make look like an option.
        [...jvm, 'kafka.tools.StorageTool', 'format', `--cluster-id=${this.clusterId}`, `--config=${propsFile}`],
        { encoding: 'utf8' },
      );
      if (format.status !== 0) {
        throw new Error(`Kafka storage format failed (exit ${format.status}): ${format.stderr || format.stdout}`);
      }
    }

    const out = createWriteStream(join(this.dataDir, 'broker.log'), { flags: 'a' });
    const child = spawn('java', [...jvm, 'kafka.Kafka', propsFile], {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: this.ownProcessGroup,
    });
    this.process = child;
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    this.exited = exited;
    let sawReadyLine = false;
    let readyLineSeen!: () => void;
    const ready = new Promise<void>((done) => (readyLineSeen = done));
    let tail = '';
    const watch = (chunk: Buffer): void => {
      out.write(chunk);
      if (sawReadyLine) return;
      tail = (tail + chunk.toString('utf8')).slice(-4096);
      if (tail.includes(READY_LINE)) {
        sawReadyLine = true;
        readyLineSeen();
      }
    };
    child.stdout.on('data', watch);
    child.stderr.on('data', watch);
    child.once('exit', () => out.end());

    // Waits for whichever comes first: the ready line, the JVM's exit, or the start timeout.
    const deadline = Date.now() + this.startTimeoutMs;
    let timeout: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      ready.then(() => 'ready' as const),
      exited.then(() => 'exited' as const),
      new Promise<'late'>((done) => (timeout = setTimeout(() => done('late'), this.startTimeoutMs))),
    ]);
    clearTimeout(timeout);
    if (outcome === 'exited') {
      throw new Error(
        `Kafka broker exited during start-up; see ${join(this.dataDir, 'broker.log')}: ${tail.slice(-1500)}`,
      );
    }
    if (outcome === 'late') {
      await this.stop();
      throw new Error(
        `Kafka broker not ready after ${this.startTimeoutMs} ms; see ${join(this.dataDir, 'broker.log')}`,
      );
    }
    await this.waitForAdmin(deadline);
    return this.brokers;
  }

  /** SIGTERM (controlled shutdown), then SIGKILL after the timeout. */
  async stop(): Promise<void> {
    const child = this.process;
    if (!child || !this.running) return;
    child.kill('SIGTERM');
    // The kill timer is cleared as soon as the JVM exits: a pending timer would keep the calling
    // process (jest, npm start) alive for the whole timeout.
    const timer = setTimeout(() => child.kill('SIGKILL'), this.stopTimeoutMs);
    await this.exited;
    clearTimeout(timer);
    this.process = undefined;
  }

  /**
   * SIGKILL, no controlled shutdown: a crash, as fault-injection tests want it. The data dir, the
   * ports and the cluster id are kept, so `start()` brings the same broker back (log recovery).
   */
  async kill(): Promise<void> {
    const child = this.process;
    if (!child || !this.running) return;
    child.kill('SIGKILL');
    await this.exited;
    this.process = undefined;
  }

  private async waitForAdmin(deadline: number): Promise<void> {
    const admin = new Kafka({ brokers: this.brokers, logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
    let lastError: unknown;
    while (Date.now() < deadline) {
      try {
        await admin.connect();
        const cluster = await admin.describeCluster();
        await admin.disconnect();
        if (cluster.brokers.length > 0) return;
      } catch (error) {
        lastError = error;
        await admin.disconnect().catch(() => undefined);
      }
      await sleep(250);
    }
    throw new Error(`Kafka broker logged '${READY_LINE}' but its admin API never answered: ${String(lastError)}`);
  }

  private serverProperties(logDir: string): string {
    return [
      'process.roles=broker,controller',
      'node.id=1',
      `controller.quorum.voters=1@127.0.0.1:${this.controllerPort}`,
      `listeners=PLAINTEXT://127.0.0.1:${this.port},CONTROLLER://127.0.0.1:${this.controllerPort}`,
      `advertised.listeners=PLAINTEXT://127.0.0.1:${this.port}`,
      'controller.listener.names=CONTROLLER',
      'inter.broker.listener.name=PLAINTEXT',
      'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
      `log.dirs=${logDir}`,
      'num.partitions=1',
      'auto.create.topics.enable=false',
      'offsets.topic.replication.factor=1',
      'offsets.topic.num.partitions=1',
      'transaction.state.log.replication.factor=1',
      'transaction.state.log.min.isr=1',
      'transaction.state.log.num.partitions=1',
      'share.coordinator.state.topic.replication.factor=1',
      'share.coordinator.state.topic.min.isr=1',
      'group.initial.rebalance.delay.ms=0',
      'group.min.session.timeout.ms=1000',
      'log.retention.hours=168',
      'log.segment.bytes=67108864',
      'num.network.threads=2',
      'num.io.threads=4',
      '',
    ].join('\n');
  }
}

const LOG4J_PROPERTIES = [
  'log4j.rootLogger=INFO, stdout',
  'log4j.appender.stdout=org.apache.log4j.ConsoleAppender',
  'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout',
  'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n',
  'log4j.logger.kafka=INFO',
  'log4j.logger.org.apache.kafka=WARN',
  'log4j.logger.state.change.logger=WARN',
  'log4j.logger.kafka.log=WARN',
  'log4j.logger.kafka.coordinator=WARN',
  'log4j.logger.kafka.controller=WARN',
  '',
].join('\n');

function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}
