import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { mintDevToken } from '@passerelle/auth';
import { dropSchema, openDatabase, type DatabaseHandle } from '@passerelle/persistence';
import { loadGatewayConfig } from '../../apps/gateway/src/gateway.config';
import { LocalKafkaBroker, freePort } from '../../infra/kafka/local-broker';
import { AppProcess, type AppExit } from '../support/app-process';
import { clientPath } from '../support/client-path';
import { testDatabaseUrl } from '../support/database';
import { uniqueName } from '../support/kafka';
import { suiteEnv } from '../support/suite-env';
import { TcpProxy } from '../support/tcp-proxy';

const ROOT = join(__dirname, '..', '..');
/** The gateway's bound on an acks=all write before it answers 503 (the suite checks answers against it). */
export const KAFKA_WRITE_TIMEOUT_MS = 3_000;

export const EVENT_APPS = ['ow-adapter', 'referral-tracker', 'eo-adapter', 'webhook-dispatcher'] as const;
export type AppName = 'gateway' | (typeof EVENT_APPS)[number];

/** A whole Passerelle of the suite's own: broker, apps as processes, PostgreSQL behind a proxy. */
export interface FaultStack {
  schema: string;
  prefix: string;
  broker: LocalKafkaBroker;
  /** Between the apps and PostgreSQL: cutting it makes the database unreachable for the apps only. */
  proxy: TcpProxy;
  apps: Map<AppName, AppProcess>;
  /** `http://127.0.0.1:<port>`: the gateway keeps its port across restarts. */
  base: string;
  /** The suite's schema, reached directly (not through the proxy), for checks during faults too. */
  database: DatabaseHandle;
  kafka: Kafka;
  referrerToken: string;
  providerToken: string;
  /** Apps that died on their own (each was started again, so the scenario can go on). */
  crashes: AppExit[];
  /** Set by `stopFaultStack`: a crash then is not followed by a restart. */
  closing: boolean;
}

/** The suite's stack, nothing started yet: `startFaultStack` starts it, `stopFaultStack` undoes what started. */
export function newFaultStack(): FaultStack {
  const schema = uniqueName('t_faults').replace(/-/g, '_');
  return {
    schema,
    prefix: `${schema}.`,
    broker: new LocalKafkaBroker({ dataDir: join(ROOT, '.kafka', `faults-${schema}`) }),
    proxy: new TcpProxy({ host: '127.0.0.1', port: Number(new URL(testDatabaseUrl()).port || 5432) }),
    apps: new Map(),
    base: '',
    database: openDatabase({ url: testDatabaseUrl(), schema, maxConnections: 4 }),
    kafka: undefined as unknown as Kafka,
    referrerToken: '',
    providerToken: '',
    crashes: [],
    closing: false,
  };
}

/**
 * Starts the suite's own broker (killing it must not disturb the suites sharing the global one),
 * the proxy in front of PostgreSQL, and every app as a child process from its main.ts.
 */
export async function startFaultStack(stack: FaultStack): Promise<void> {
  const { schema, prefix, broker, proxy, crashes } = stack;
  const brokers = await broker.start();
  stack.kafka = new Kafka({ clientId: 'faults-e2e', brokers, logLevel: logLevel.NOTHING });
  const proxyPort = await proxy.listen();
  const gatewayPort = await freePort();
  stack.base = `http://127.0.0.1:${gatewayPort}`;

  const proxiedUrl = new URL(testDatabaseUrl());
  proxiedUrl.host = `127.0.0.1:${proxyPort}`;
  const env = suiteEnv(prefix, schema, {
    KAFKA_BROKERS: brokers.join(','),
    DATABASE_URL: proxiedUrl.toString(),
    PORT: String(gatewayPort),
    HOST: '127.0.0.1',
    KAFKA_WRITE_TIMEOUT_MS: String(KAFKA_WRITE_TIMEOUT_MS),
    KAFKA_SESSION_TIMEOUT_MS: '6000',
    KAFKA_HEARTBEAT_INTERVAL_MS: '1000',
    SHUTDOWN_TIMEOUT_MS: '5000',
    // Event apps say they consume at info level; request logs of the gateway are not needed.
    LOG_LEVEL: 'info',
  });
  const logDir = join(ROOT, 'test', 'artifacts', 'faults', schema);
  for (const app of ['gateway', ...EVENT_APPS] as const) {
    const child = new AppProcess({
      app,
      env: app === 'gateway' ? { ...env, LOG_LEVEL: 'warn' } : env,
      readyLine: app === 'gateway' ? 'gateway listening' : 'consuming ',
      logFile: join(logDir, `${app}.log`),
      onUnexpectedExit: (exit) => {
        crashes.push(exit);
        // Started again like an orchestrator would, so the rest of the scenario still means something.
        setTimeout(() => {
          if (!stack.closing) void child.start().catch(() => undefined);
        }, 500);
      },
    });
    stack.apps.set(app, child);
  }
  // The gateway first: it migrates the schema and provisions the topics the others subscribe to.
  await stack.apps.get('gateway')!.start();
  await Promise.all(EVENT_APPS.map((app) => stack.apps.get(app)!.start()));

  const config = loadGatewayConfig(env);
  stack.referrerToken = await mintDevToken(
    { org: 'ow:greater-sudbury', scopes: ['referrals:write', 'referrals:read'] },
    config,
  );
  // Every referral of the load has the same postal code and service: one provider gets them all.
  const provider = clientPath(crypto.randomUUID(), 1).provider;
  stack.providerToken = await mintDevToken({ org: provider, scopes: ['provider:read', 'provider:write'] }, config);
}

/** Stops the apps (SIGTERM), the broker and the proxy, and drops the suite's schema and broker data. */
export async function stopFaultStack(stack: FaultStack): Promise<void> {
  stack.closing = true;
  await Promise.all(
    [...stack.apps.values()].map(async (app) => {
      await app.stop(10_000).catch(() => undefined);
      await app.dispose();
    }),
  );
  await stack.proxy.close();
  await stack.broker.stop();
  // FAULTS_KEEP=1 keeps the broker's data and the schema for a post-mortem of a failed run.
  if (process.env.FAULTS_KEEP !== '1') {
    rmSync(stack.broker.dataDir, { recursive: true, force: true });
    await dropSchema(stack.database);
  }
  await stack.database.close();
}

/**
 * The second way PostgreSQL goes away: the server ends the apps' sessions itself
 * (`pg_terminate_backend`), found by the client ports the proxy uses. Returns how many it ended.
 */
export async function terminateAppSessions(proxy: TcpProxy): Promise<number> {
  const ports = proxy.upstreamPorts();
  if (ports.length === 0) return 0;
  const admin = new Client({ connectionString: testDatabaseUrl() });
  await admin.connect();
  try {
    const result = await admin.query<{ ended: boolean }>(
      `select pg_terminate_backend(pid) as ended from pg_stat_activity
        where client_port = any($1::int[]) and client_addr = '127.0.0.1'::inet and pid <> pg_backend_pid()`,
      [ports],
    );
    return result.rows.filter((r) => r.ended).length;
  } finally {
    await admin.end();
  }
}
