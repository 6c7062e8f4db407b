import { randomBytes } from 'node:crypto';
import { testDatabaseUrl } from './database';
import { testBrokers } from './kafka';

/**
 * The master key every app of one suite seals personal data with (one per test file: each file is
 * its own module registry), as in production: no suite runs with personal data in clear.
 */
export const SUITE_MASTER_KEY = randomBytes(32).toString('hex');

/**
 * The environment of an app under test: the shared broker and database, the suite's own topic
 * prefix and schema (so suites never see each other's data), a fresh pseudonym key, the suite's master key, quick timer
 * polls and quiet logs. `overrides` change or add settings.
 */
export function suiteEnv(
  prefix: string,
  schema: string,
  overrides: Record<string, string> = {},
): Record<string, string> {
  return {
    KAFKA_BROKERS: testBrokers().join(','),
    KAFKA_TOPIC_PREFIX: prefix,
    KAFKA_TOPIC_PARTITIONS: '3',
    DATABASE_URL: testDatabaseUrl(),
    DATABASE_SCHEMA: schema,
    MINISTRY_PSEUDONYM_KEY: randomBytes(32).toString('hex'),
    TRACKER_TIMER_POLL_MS: '200',
    LOG_LEVEL: 'warn',
    PERSONAL_DATA_MASTER_KEY: SUITE_MASTER_KEY,
    ...overrides,
  };
}

/** Few, fast retries: a suite that checks the DLQ does not wait for the production backoff. */
export const FAST_RETRIES = { CONSUMER_MAX_ATTEMPTS: '2', CONSUMER_RETRY_BASE_MS: '10' };
