import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { Client } from 'pg';
import { LocalKafkaBroker, findRepoRoot } from '../kafka/local-broker';
import { developmentMasterKey } from './development-master-key';
import { SupervisedApp } from './supervised-app';

/**
 * `npm start`: the whole of Passerelle on one machine. A local KRaft broker (unless
 * KAFKA_BROKERS names a cluster), the machine's PostgreSQL, and every app as its own process,
 * restarted with a growing delay if it dies (the others keep running, as under an orchestrator).
 * Personal data is sealed with PERSONAL_DATA_MASTER_KEY, or with a development key kept in .cache/.
 * One Ctrl-C drains the apps first, then stops the broker.
 */
const ROOT = findRepoRoot(__dirname);
const APPS = ['gateway', 'ow-adapter', 'eo-adapter', 'referral-tracker', 'webhook-dispatcher'];
const APP_STOP_TIMEOUT_MS = 45_000;

export async function runStack(argv: string[] = process.argv.slice(2)): Promise<void> {
  const brokerOnly = argv.includes('--broker-only');
  const env: NodeJS.ProcessEnv = { ...process.env };
  env.DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/test';

  let broker: LocalKafkaBroker | undefined;
  if (env.KAFKA_BROKERS) {
    log(`using the Kafka cluster at ${env.KAFKA_BROKERS}`);
  } else {
    const port = Number(env.KAFKA_PORT ?? 9092);
    broker = new LocalKafkaBroker({ port, dataDir: join(ROOT, '.kafka', `dev-${port}`), ownProcessGroup: true });
    log(`starting Apache Kafka ${broker.version} (KRaft) on 127.0.0.1:${port} (jars fetched with Maven on first run)…`);
    env.KAFKA_BROKERS = (await broker.start()).join(',');
    log(`Kafka ready at ${env.KAFKA_BROKERS}; data in ${broker.dataDir}`);
  }

  if (!brokerOnly && env.PERSONAL_DATA_MASTER_KEY === undefined) {
    const file = join(ROOT, '.cache', 'personal-data-master-key');
    const { key, created } = developmentMasterKey(file);
    env.PERSONAL_DATA_MASTER_KEY = key;
    log(`personal data sealed with the development master key ${created ? 'made in' : 'kept in'} ${file}`);
  }

  const apps: SupervisedApp[] = [];
  let stopping = false;
  const stop = async (code: number): Promise<never> => {
    if (stopping) return new Promise<never>(() => undefined);
    stopping = true;
    log('stopping: draining the apps, then the broker…');
    await Promise.all(apps.map((app) => app.stop(APP_STOP_TIMEOUT_MS)));
    await broker?.stop();
    log('stopped');
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  if (brokerOnly) {
    log('broker only: Ctrl-C stops it');
    return;
  }

  try {
    await checkPostgres(env.DATABASE_URL);
  } catch (error) {
    log(`PostgreSQL is not reachable at ${env.DATABASE_URL}: ${(error as Error).message}`);
    log(`start it (pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start) or set DATABASE_URL`);
    await stop(1);
  }

  // The gateway first: it migrates the schema and provisions the topics the others consume.
  const supervise = (name: string): SupervisedApp => new SupervisedApp(name, () => startApp(name, env), log);
  const gateway = supervise('gateway');
  apps.push(gateway);
  const port = Number(env.PORT ?? 3000);
  try {
    await waitForReady(port, gateway.process);
  } catch (error) {
    // A gateway that cannot start (settings, schema) would only crash again: stop, do not loop.
    log((error as Error).message);
    await stop(1);
  }
  for (const name of APPS.slice(1)) apps.push(supervise(name));
  log('');
  log(`Passerelle is up:  API  http://127.0.0.1:${port}/v1`);
  log(`                   docs http://127.0.0.1:${port}/v1/docs`);
  log(`                   ready http://127.0.0.1:${port}/v1/health/ready`);
  log('Ctrl-C stops everything.');
}

function startApp(name: string, env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, [join(ROOT, 'dist', 'apps', name, 'src', 'main.js')], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // Ctrl-C reaches only this supervisor, which stops apps in order
  });
  const prefix = `[${name}] `;
  for (const stream of [child.stdout, child.stderr]) {
    let partial = '';
    stream.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) process.stdout.write(`${prefix}${line}\n`);
    });
  }
  return child;
}

async function waitForReady(port: number, gateway: ChildProcess): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (gateway.exitCode !== null || gateway.signalCode !== null)
      throw new Error('the gateway exited during start-up (see its log above)');
    try {
      const res = await fetch(`http://127.0.0.1:${port}/v1/health/ready`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(300);
  }
  throw new Error(`the gateway was not ready on port ${port} within 120 s`);
}

async function checkPostgres(url: string): Promise<void> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    await client.query('select 1');
  } finally {
    await client.end().catch(() => undefined);
  }
}

function log(line: string): void {
  process.stdout.write(`[passerelle] ${line}\n`);
}

function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}
