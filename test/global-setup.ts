import { Client } from 'pg';
import { LocalKafkaBroker } from '../infra/kafka/local-broker';

/**
 * The whole suite shares one real broker: the one in KAFKA_BROKERS if set, otherwise a local
 * KRaft broker started here on free ports. Suites isolate themselves with their own topics and
 * their own PostgreSQL schema.
 */
export default async function globalSetup(): Promise<void> {
  process.env.DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/test';
  const pg = new Client({ connectionString: process.env.DATABASE_URL, connectionTimeoutMillis: 5_000 });
  try {
    await pg.connect();
    await pg.query('select 1');
  } catch (error) {
    throw new Error(`PostgreSQL is not reachable at ${process.env.DATABASE_URL}: ${(error as Error).message}`, {
      cause: error,
    });
  } finally {
    await pg.end().catch(() => undefined);
  }

  if (process.env.KAFKA_BROKERS) return;
  const broker = new LocalKafkaBroker();
  const brokers = await broker.start();
  process.env.KAFKA_BROKERS = brokers.join(',');
  (globalThis as { __kafkaBroker?: LocalKafkaBroker }).__kafkaBroker = broker;
}
