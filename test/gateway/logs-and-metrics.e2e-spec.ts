import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import request from 'supertest';
import { mintDevToken } from '@passerelle/auth';
import type { EoServiceRecord } from '@passerelle/contracts';
import { dropSchema, openDatabase } from '@passerelle/persistence';
import { loadGatewayConfig } from '../../apps/gateway/src/gateway.config';
import { providerRecordVersions, readFixture } from '../support/client-path';
import { testDatabaseUrl } from '../support/database';
import { uniqueName, waitFor } from '../support/kafka';
import { suiteEnv } from '../support/suite-env';

const ROOT = join(__dirname, '..', '..');
/** Every deployable, as production runs it: its own process, its `main.ts`, settings from the environment. */
const APPS = ['gateway', 'ow-adapter', 'eo-adapter', 'referral-tracker', 'webhook-dispatcher'].filter((app) =>
  existsSync(join(ROOT, 'apps', app, 'src', 'main.ts')),
);

interface RunningProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<unknown>;
}

function startProcess(app: string, env: Record<string, string>): RunningProcess {
  const child = spawn(
    process.execPath,
    ['-r', join(ROOT, 'scripts', 'register-ts.cjs'), join(ROOT, 'apps', app, 'src', 'main.ts')],
    {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output, exited: new Promise((resolve) => child.once('exit', resolve)) };
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

/**
 * A full run of every app at debug level, driven through HTTP with personal data and tokens in
 * every request; then every line the processes wrote is searched for that data and those tokens.
 */
describe('logs and metrics of a full run', () => {
  const schema = uniqueName('t_logs').replace(/-/g, '_');
  const prefix = `${schema}.`;
  let env: Record<string, string>;
  const processes: RunningProcess[] = [];
  let base: string;

  beforeAll(async () => {
    const port = await freePort();
    env = suiteEnv(prefix, schema, { LOG_LEVEL: 'debug', PORT: String(port), HOST: '127.0.0.1' });
    base = `http://127.0.0.1:${port}`;
    // The gateway first: it migrates the schema and provisions the topics the others subscribe to.
    processes.push(startProcess('gateway', env));
    await waitFor(
      async () => (await fetch(`${base}/v1/health/ready`).catch(() => undefined))?.ok,
      120_000,
      'gateway ready',
    );
    for (const app of APPS.slice(1)) processes.push(startProcess(app, env));
    await waitFor(
      () => processes.slice(1).every((p) => p.output().includes('consuming ')),
      120_000,
      'event apps consuming',
    );
  }, 240_000);

  afterAll(async () => {
    for (const p of processes) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    const database = openDatabase({ url: testDatabaseUrl(), schema });
    await dropSchema(database);
    await database.close();
  });

  it('never writes personal data or tokens to the logs, and counts requests per route and status', async () => {
    const config = loadGatewayConfig(env);
    const referrer = await mintDevToken(
      { org: 'ow:greater-sudbury', scopes: ['referrals:write', 'referrals:read', 'consent:write'] },
      config,
    );
    const record = readFixture('ow-case-record/eloise-cote-tremblay-referral.json');
    const http = () => request(base);

    const submitted = await http()
      .post('/v1/referrals')
      .set('authorization', `Bearer ${referrer}`)
      .set('idempotency-key', 'logs-1')
      .send(record)
      .expect(202);
    const referralId = submitted.body.referralId as string;
    const routed = await waitFor(
      async () => {
        const r = await http().get(`/v1/referrals/${referralId}`).set('authorization', `Bearer ${referrer}`);
        return r.body.businessStatus === 'routed' ? r.body : undefined;
      },
      60_000,
      'routed',
    );
    const provider = await mintDevToken({ org: routed.provider, scopes: ['provider:read', 'provider:write'] }, config);
    await http()
      .get(`/v1/provider/referrals?updatedSince=2020-01-01T00:00:00Z`)
      .set('authorization', `Bearer ${provider}`)
      .expect(200);
    await http()
      .post(`/v1/provider/referrals/${referralId}/accept`)
      .set('authorization', `Bearer ${provider}`)
      .set('idempotency-key', 'logs-2')
      .expect(202);
    const [v1, v2] = providerRecordVersions({
      tag: '-logs',
      providerId: routed.provider.slice(3),
      referralId,
      samsMemberId: record.personal.memberId,
    });
    await http()
      .post('/v1/provider/service-records')
      .set('authorization', `Bearer ${provider}`)
      .set('idempotency-key', 'logs-3')
      .send({ records: [v1, v2] })
      .expect(202);
    await waitFor(
      async () =>
        (await http().get(`/v1/referrals/${referralId}`).set('authorization', `Bearer ${referrer}`)).body.status ===
        'in-progress',
      60_000,
      'in progress',
    );

    // Refusals carrying personal data: a bad body (400), a body of another agent (403), bad tokens (401).
    const bad = { ...record, personal: { ...record.personal, birthDate: 'le 27 avril' } };
    await http()
      .post('/v1/referrals')
      .set('authorization', `Bearer ${referrer}`)
      .set('idempotency-key', 'logs-4')
      .send(bad)
      .expect(400);
    await http()
      .post('/v1/referrals')
      .set('authorization', `Bearer ${referrer}`)
      .set('idempotency-key', 'logs-5')
      .send({ ...record, deliveryAgent: { ...record.deliveryAgent, code: 'toronto' } })
      .expect(403);
    await http()
      .get(`/v1/referrals/${referralId}?token=${referrer}`)
      .set('authorization', `Bearer ${referrer}x`)
      .expect(401);
    const unmapped: EoServiceRecord = { ...v1, commonAssessment: { ...v1.commonAssessment!, streamCode: 'Z' } };
    await http()
      .post('/v1/provider/service-records')
      .set('authorization', `Bearer ${provider}`)
      .set('idempotency-key', 'logs-6')
      .send(unmapped)
      .expect(400);
    const withdrawal = await http()
      .post(`/v1/clients/${routed.clientId ?? (await clientOf(referralId))}/consent/withdraw`)
      .set('authorization', `Bearer ${referrer}`)
      .set('idempotency-key', 'logs-7')
      .send({ consentId: routed.consentId ?? (await consentOf(referralId)) });
    expect([202, 404]).toContain(withdrawal.status);
    await waitFor(
      async () =>
        (await http().get(`/v1/referrals/${referralId}`).set('authorization', `Bearer ${referrer}`)).body.status ===
        'cancelled',
      60_000,
      'cancelled',
    );

    const metrics = (await http().get('/v1/metrics').expect(200)).text;
    for (const [route, status] of [
      ['/v1/referrals', 202],
      ['/v1/referrals', 400],
      ['/v1/referrals', 403],
      ['/v1/referrals/:referralId', 200],
      ['/v1/referrals/:referralId', 401],
      ['/v1/provider/service-records', 202],
      ['/v1/provider/service-records', 400],
      ['/v1/provider/referrals/:referralId/accept', 202],
    ] as const) {
      expect(metrics).toMatch(
        new RegExp(
          `passerelle_http_requests_total\\{[^}]*route="${route.replace(/[/:]/g, (c) => `\\${c}`)}"[^}]*status="${status}"[^}]*\\} [1-9]`,
        ),
      );
    }
    expect(metrics).not.toContain(referralId);

    // Stop every app the way production does, so what they write on the way out is searched too.
    for (const p of processes) p.child.kill('SIGTERM');
    await Promise.all(processes.map((p) => p.exited));
    const logs = processes.map((p) => p.output()).join('\n');
    expect(logs.length).toBeGreaterThan(1_000);
    expect(logs).toContain('request completed');
    const personal = record.personal;
    const forbidden = [
      personal.name.givenName,
      personal.name.familyName,
      personal.birthDate,
      personal.memberId,
      'le 27 avril',
      personal.contact?.phone,
      personal.contact?.email,
      personal.contact?.address?.postalCode,
      personal.contact?.address?.line1,
      v1.personal.clientReferenceNumber,
      v1.personal.contact?.phone,
      referrer,
      provider,
      referrer.split('.')[2],
      provider.split('.')[2],
      'Bearer ',
    ].filter((s): s is string => typeof s === 'string' && s.length > 0);
    for (const secret of forbidden) {
      const at = logs.indexOf(secret);
      expect({ secret, context: at < 0 ? undefined : logs.slice(Math.max(0, at - 200), at + 200) }).toEqual({
        secret,
        context: undefined,
      });
    }
  }, 300_000);

  async function clientOf(referralId: string): Promise<string> {
    const database = openDatabase({ url: testDatabaseUrl(), schema });
    try {
      return (
        await database.db
          .selectFrom('referral')
          .select('client_id')
          .where('referral_id', '=', referralId)
          .executeTakeFirstOrThrow()
      ).client_id;
    } finally {
      await database.close();
    }
  }
  async function consentOf(referralId: string): Promise<string> {
    const database = openDatabase({ url: testDatabaseUrl(), schema });
    try {
      return (
        await database.db
          .selectFrom('referral')
          .select('consent_id')
          .where('referral_id', '=', referralId)
          .executeTakeFirstOrThrow()
      ).consent_id;
    } finally {
      await database.close();
    }
  }
});
