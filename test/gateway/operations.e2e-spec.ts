import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { createGateway } from '../../apps/gateway/src/create-gateway';
import { loadGatewayConfig } from '../../apps/gateway/src/gateway.config';
import { LocalKafkaBroker } from '../../infra/kafka/local-broker';
import { testDatabaseUrl } from '../support/database';
import { uniqueName, waitFor } from '../support/kafka';
import { Client } from 'pg';
import { SUITE_MASTER_KEY } from '../support/suite-env';

const ROOT = join(__dirname, '..', '..');

describe('gateway operations endpoints on a real broker and database', () => {
  // This suite stops and restarts its broker, so it runs its own instead of the shared one.
  const broker = new LocalKafkaBroker({ heapMb: 384 });
  const schema = uniqueName('t_gw').replace(/-/g, '_');
  let app: NestFastifyApplication | undefined;

  beforeAll(async () => {
    await broker.start();
    const config = loadGatewayConfig({
      KAFKA_BROKERS: broker.brokers.join(','),
      KAFKA_TOPIC_PREFIX: `${schema}.`,
      DATABASE_URL: testDatabaseUrl(),
      DATABASE_SCHEMA: schema,
      PERSONAL_DATA_MASTER_KEY: SUITE_MASTER_KEY,
      LOG_LEVEL: 'warn',
    });
    app = await createGateway(config);
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await broker.stop();
    const pg = new Client({ connectionString: testDatabaseUrl() });
    await pg.connect();
    await pg.query(`drop schema if exists "${schema}" cascade`);
    await pg.end();
  });

  const http = () => request(app!.getHttpServer());

  it('answers liveness without checking dependencies', async () => {
    const res = await http().get('/v1/health/live').expect(200);
    expect(res.body).toEqual({ status: 'ok', checks: {} });
  });

  it('answers readiness 200 with Kafka and PostgreSQL up, 503 naming Kafka while the broker is down, 200 once it is back', async () => {
    const up = await http().get('/v1/health/ready').expect(200);
    expect(up.body).toEqual({ status: 'ok', checks: { kafka: { status: 'up' }, postgres: { status: 'up' } } });

    await broker.stop();
    const down = await http().get('/v1/health/ready').expect(503);
    expect(down.body.status).toBe('error');
    expect(down.body.checks.kafka.status).toBe('down');
    expect(down.body.checks.kafka.detail).toEqual(expect.any(String));
    expect(down.body.checks.postgres).toEqual({ status: 'up' });

    await broker.start();
    await waitFor(async () => (await http().get('/v1/health/ready')).status === 200, 30_000, 'readiness after restart');
  }, 120_000);

  it('created every contract topic (and its DLQ) under the configured prefix at start', async () => {
    const { Kafka, logLevel } = await import('kafkajs');
    const admin = new Kafka({ brokers: broker.brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const topics = await admin.listTopics();
    await admin.disconnect();
    for (const name of [
      'ow.case-records.v1',
      'referrals.v1',
      'ministry.outcomes.v1',
      'notifications.v1',
      'referrals.v1.dlq',
    ]) {
      expect(topics).toContain(`${schema}.${name}`);
    }
  });

  it('serves Prometheus metrics labelled by route template and status', async () => {
    await http().get('/v1/health/live').expect(200);
    await http().get('/v1/no-such-thing/123').expect(404);
    const res = await http().get('/v1/metrics').expect(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.text).toContain(
      'passerelle_http_requests_total{method="GET",route="/v1/health/live",status="200",app="gateway"}',
    );
    expect(res.text).toMatch(/process_cpu_user_seconds_total/);
    // A concrete URL never becomes a label: ids would leak into Prometheus.
    expect(res.text).not.toContain('/v1/no-such-thing/123');
  });

  it('serves Swagger UI of openapi.yaml from its own assets', async () => {
    const page = await http().get('/v1/docs').expect(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.text).toContain('/v1/docs/assets/swagger-ui-bundle.js');
    expect(page.text).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)/);
    const bundle = await http().get('/v1/docs/assets/swagger-ui-bundle.js').expect(200);
    expect(bundle.text.length).toBeGreaterThan(100_000);
    const doc = await http().get('/v1/docs/openapi.json').expect(200);
    expect(doc.body.openapi).toBe('3.1.0');
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining(['/v1/health/live', '/v1/health/ready', '/v1/metrics', '/v1/docs']),
    );
    expect(JSON.stringify(doc.body)).not.toMatch(/"\$ref":"\.{1,2}\//);
    await http().get('/v1/docs/assets/..%2F..%2Fpackage.json').expect(404);
  });

  it('answers unknown routes with problem+json', async () => {
    const res = await http().get('/v1/referrals-nope').expect(404);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.body).toMatchObject({ status: 404, title: 'Not found', instance: '/v1/referrals-nope' });
  });
});

describe('gateway configuration', () => {
  it('refuses to start on a wrong or missing setting, naming it', () => {
    const result = spawnSync(
      process.execPath,
      ['-r', join(ROOT, 'scripts', 'register-ts.cjs'), join(ROOT, 'apps', 'gateway', 'src', 'main.ts')],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          PORT: 'eighty',
          KAFKA_BROKERS: 'no-port-here',
          DATABASE_URL: 'mysql://x',
          LOG_LEVEL: 'loud',
        },
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('PORT: "eighty" is not a TCP port');
    expect(result.stderr).toContain('KAFKA_BROKERS: "no-port-here" is not host:port');
    expect(result.stderr).toContain('DATABASE_URL');
    expect(result.stderr).toContain('LOG_LEVEL');
  });
});
