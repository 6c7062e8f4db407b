import { sql } from 'kysely';
import { ConfigResourceTypes } from 'kafkajs';
import { TopicNames } from '@passerelle/messaging';
import { dropSchema, openDatabase, type DatabaseHandle } from '@passerelle/persistence';
import { startEventApp, type RunningEventApp } from '@passerelle/runtime';
import { referralTrackerApp } from '../../apps/referral-tracker/src/referral-tracker.app';
import { testDatabaseUrl } from '../support/database';
import { testKafka, uniqueName, waitFor } from '../support/kafka';
import { suiteEnv } from '../support/suite-env';

const DAY = 86_400_000;

describe('referral-tracker runs retention', () => {
  const prefix = `${uniqueName('trk-ret')}.`;
  const schema = uniqueName('t_trk_ret').replace(/-/g, '_');
  const env = suiteEnv(prefix, schema, {
    RETENTION_INTERVAL_MS: '600000',
    KAFKA_RETENTION_DLQ_DAYS: '45',
    RETENTION_INBOX_DAYS: '46',
  });
  let tracker: RunningEventApp | undefined;
  let database: DatabaseHandle;

  beforeAll(async () => {
    tracker = await startEventApp(referralTrackerApp, env);
    database = openDatabase({ url: testDatabaseUrl(), schema });
  }, 120_000);

  afterAll(async () => {
    await tracker?.close();
    await dropSchema(database);
    await database.close();
  });

  it('runs the job at start-up and audits it', async () => {
    const run = await waitFor(
      async () =>
        (
          await sql<{ report: { purged: { kind: string }[] } }>`
            select report from retention_run where finished_at is not null`.execute(database.db)
        ).rows[0],
      30_000,
      'a finished retention run',
    );
    expect(run.report.purged.map((p) => p.kind)).toContain('closed-referral-personal');
    const audited = await sql<{ n: number }>`
      select count(*)::int as n from audit_log where subject = 'retention-job'`.execute(database.db);
    expect(audited.rows[0].n).toBe(run.report.purged.length);
  });

  it('gave its topics the configured retention at start-up', async () => {
    const admin = testKafka().admin();
    await admin.connect();
    try {
      const names = new TopicNames(prefix);
      const { resources } = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [names.of('referrals.v1.dlq'), names.of('referrals.v1')].map((name) => ({
          type: ConfigResourceTypes.TOPIC,
          name,
        })),
      });
      const retention = (topic: string) =>
        resources.find((r) => r.resourceName === topic)?.configEntries.find((e) => e.configName === 'retention.ms')
          ?.configValue;
      expect(retention(names.of('referrals.v1.dlq'))).toBe(String(45 * DAY));
      expect(retention(names.of('referrals.v1'))).toBe(String(7 * DAY));
    } finally {
      await admin.disconnect();
    }
  });
});
