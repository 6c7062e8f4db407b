import type { AddressInfo } from 'node:net';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { dropSchema, openDatabase, type DatabaseHandle } from '@passerelle/persistence';
import { startEventApp, type EventAppDefinition, type RunningEventApp } from '@passerelle/runtime';
import { createGateway } from '../../apps/gateway/src/create-gateway';
import { loadGatewayConfig, type GatewayConfig } from '../../apps/gateway/src/gateway.config';
import { testDatabaseUrl } from './database';
import { uniqueName } from './kafka';
import { suiteEnv } from './suite-env';

/** A suite's running gateway and event apps, on its own topics and schema. */
export interface GatewayStack {
  schema: string;
  /** Topic prefix of the suite (`<schema>.`). */
  prefix: string;
  env: Record<string, string>;
  config: GatewayConfig;
  /** Set once the suite's `beforeAll` ran. */
  app: NestFastifyApplication;
  /** `http://127.0.0.1:<port>` of the listening gateway. */
  base: string;
  /** The event apps, in the order given (a suite may close one itself: closing twice is harmless). */
  eventApps: RunningEventApp[];
  /** The suite's schema, for checks of what was stored. */
  database: DatabaseHandle;
  http: () => ReturnType<typeof request>;
}

/**
 * Starts the gateway (listening on a free port) and the given event apps before the suite's tests,
 * and stops them and drops the suite's schema after: the setup every HTTP e2e suite shares.
 */
export function useGatewayStack(
  name: string,
  eventApps: EventAppDefinition[],
  overrides: Record<string, string> = {},
): GatewayStack {
  const schema = uniqueName(name).replace(/-/g, '_');
  const prefix = `${schema}.`;
  const env = suiteEnv(prefix, schema, overrides);
  const stack = {
    schema,
    prefix,
    env,
    config: loadGatewayConfig(env),
    eventApps: [],
    http: () => request(stack.app.getHttpServer()),
  } as unknown as GatewayStack;

  // What beforeAll got to start: a failed start leaves some of it unset for afterAll.
  let app: NestFastifyApplication | undefined;
  let database: DatabaseHandle | undefined;

  beforeAll(async () => {
    app = stack.app = await createGateway(stack.config);
    await app.listen(0, '127.0.0.1');
    stack.base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    for (const definition of eventApps) stack.eventApps.push(await startEventApp(definition, env));
    database = stack.database = openDatabase({ url: testDatabaseUrl(), schema });
  }, 180_000);

  afterAll(async () => {
    await app?.close();
    await Promise.all(stack.eventApps.map((a) => a.close()));
    if (database) {
      await dropSchema(database);
      await database.close();
    }
  });

  return stack;
}
