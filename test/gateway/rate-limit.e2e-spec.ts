import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { mintDevToken } from '@passerelle/auth';
import { dropSchema, openDatabase } from '@passerelle/persistence';
import { createGateway } from '../../apps/gateway/src/create-gateway';
import { loadGatewayConfig } from '../../apps/gateway/src/gateway.config';
import { testDatabaseUrl } from '../support/database';
import { uniqueName } from '../support/kafka';
import { suiteEnv } from '../support/suite-env';

describe('per-organization request rate', () => {
  const schema = uniqueName('t_rate').replace(/-/g, '_');
  const env = suiteEnv(`${schema}.`, schema, { RATE_LIMIT_PER_SECOND: '1', RATE_LIMIT_BURST: '3' });
  const config = loadGatewayConfig(env);
  let app: NestFastifyApplication;

  beforeAll(async () => {
    app = await createGateway(config);
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    const database = openDatabase({ url: testDatabaseUrl(), schema });
    await dropSchema(database);
    await database.close();
  });

  it('answers 429 with Retry-After past the burst, per organization, and never limits public endpoints', async () => {
    const http = () => request(app.getHttpServer());
    const toronto = await mintDevToken({ org: 'ow:toronto', scopes: ['referrals:read'] }, config);
    const ottawa = await mintDevToken({ org: 'ow:ottawa', scopes: ['referrals:read'] }, config);
    for (let n = 0; n < 3; n += 1) await http().get('/v1/referrals').set('authorization', `Bearer ${toronto}`).expect(200);
    const limited = await http().get('/v1/referrals').set('authorization', `Bearer ${toronto}`).set('accept-language', 'fr').expect(429);
    expect(limited.headers['retry-after']).toBe('1');
    expect(limited.headers['content-type']).toContain('application/problem+json');
    expect(limited.body).toMatchObject({ status: 429, title: 'Trop de requêtes', detail: 'ow:toronto dépasse son débit de requêtes : réessayez dans 1 s' });
    // Another organization has its own allowance; health and metrics have none to spend.
    await http().get('/v1/referrals').set('authorization', `Bearer ${ottawa}`).expect(200);
    for (let n = 0; n < 10; n += 1) await http().get('/v1/health/live').expect(200);
    // A second later the bucket has one request again.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await http().get('/v1/referrals').set('authorization', `Bearer ${toronto}`).expect(200);
    await http().get('/v1/referrals').set('authorization', `Bearer ${toronto}`).expect(429);
  });
});
