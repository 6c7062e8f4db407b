import fc from 'fast-check';
import { EventPublisher, TopicNames, createKafka } from '@passerelle/messaging';
import { dropSchema, openDatabase, type DatabaseHandle } from '@passerelle/persistence';
import { startEventApp, type RunningEventApp } from '@passerelle/runtime';
import { referralTrackerApp } from '../../apps/referral-tracker/src/referral-tracker.app';
import { testDatabaseUrl } from '../support/database';
import { clientPath } from '../support/client-path';
import { testBrokers, uniqueName, waitFor } from '../support/kafka';
import { suiteEnv } from '../support/suite-env';

interface Ledger {
  referral: unknown;
  consent: unknown[];
  outcomes: unknown[];
  supports: unknown[];
  parked: number;
}

describe('referral-tracker: every event delivered twice and out of order ends in the same ledger as one clean delivery', () => {
  const { events: path, referralId } = clientPath(crypto.randomUUID());
  const runs = ['clean', 'chaos'].map((name) => ({
    name,
    prefix: `${uniqueName(`ord-${name}`)}.`,
    schema: uniqueName(`t_ord_${name}`).replace(/-/g, '_'),
  }));
  const kafka = createKafka({ brokers: testBrokers(), clientId: 'order-e2e' });
  const publisher = new EventPublisher(kafka);
  const apps: RunningEventApp[] = [];
  const databases: DatabaseHandle[] = [];

  beforeAll(async () => {
    for (const run of runs) {
      apps.push(
        await startEventApp(referralTrackerApp, suiteEnv(run.prefix, run.schema, { KAFKA_TOPIC_PARTITIONS: '1' })),
      );
      databases.push(openDatabase({ url: testDatabaseUrl(), schema: run.schema }));
    }
  }, 180_000);

  afterAll(async () => {
    await Promise.all(apps.map((a) => a.close()));
    await publisher.disconnect();
    for (const database of databases) {
      await dropSchema(database);
      await database.close();
    }
  });

  async function ledgerOf(database: DatabaseHandle): Promise<Ledger> {
    const referral = await database.db
      .selectFrom('referral')
      .select([
        'status',
        'provider',
        'referrer',
        'consent_id',
        'catchment',
        'provider_type',
        'age_band',
        'region',
        'stream',
      ])
      .where('referral_id', '=', referralId)
      .executeTakeFirst();
    const consent = await database.db.selectFrom('consent').selectAll().orderBy('consent_id').execute();
    const outcomes = await database.db
      .selectFrom('outcome')
      .select([
        'outcome_type',
        'employment_spell_id',
        'outcome_id',
        'referral_id',
        'achieved',
        'observed_on',
        'event_time',
      ])
      .orderBy('outcome_type')
      .orderBy('employment_spell_id')
      .execute();
    const supports = await database.db.selectFrom('support_issued').selectAll().orderBy('benefit_id').execute();
    const parked = (await database.db.selectFrom('parked_event').select('id').execute()).length;
    return { referral, consent, outcomes, supports, parked };
  }

  const settled = async (database: DatabaseHandle, applied: number): Promise<void> => {
    // Every distinct event applied once (the inbox holds one row per ce_id), nothing left parked.
    let seen = '';
    await waitFor(
      async () => {
        const inbox = (await database.db.selectFrom('inbox').select('event_id').execute()).length;
        const parked = (await database.db.selectFrom('parked_event').select('event_type').execute()).map(
          (p) => p.event_type,
        );
        seen = `${inbox}/${applied} applied, parked: ${parked.join(', ') || 'none'}`;
        return inbox === applied && parked.length === 0 ? true : undefined;
      },
      60_000,
      'all events applied',
    ).catch((error: unknown) => {
      throw new Error(`${(error as Error).message} (${database.schema}: ${seen})`, { cause: error });
    });
  };

  it('applies each event once whatever the order and the number of deliveries', async () => {
    const distinct = new Set(path.map((e) => e.event.id)).size;

    // Clean: each topic in mapping order, once.
    const clean = new TopicNames(runs[0].prefix);
    for (const topic of ['referrals.v1', 'service-events.v1', 'outcomes.v1'] as const) {
      await publisher.publish(
        clean.of(topic),
        path.filter((e) => e.topic === topic).map((e) => e.event),
      );
    }
    // Chaos: every event twice, the whole stream shuffled (a seeded permutation), and the topics
    // published in the opposite order, so outcomes and service events overtake the referral.
    const chaos = new TopicNames(runs[1].prefix);
    const doubled = [...path, ...path];
    const [order] = fc.sample(
      fc.shuffledSubarray(
        doubled.map((_, i) => i),
        { minLength: doubled.length, maxLength: doubled.length },
      ),
      { seed: 20261123, numRuns: 1 },
    );
    const shuffled = order.map((i) => doubled[i]);
    for (const topic of ['outcomes.v1', 'service-events.v1', 'referrals.v1'] as const) {
      await publisher.publish(
        chaos.of(topic),
        shuffled.filter((e) => e.topic === topic).map((e) => e.event),
      );
    }

    await settled(databases[0], distinct);
    await settled(databases[1], distinct);
    const [cleanLedger, chaosLedger] = [await ledgerOf(databases[0]), await ledgerOf(databases[1])];
    expect(cleanLedger.referral).toMatchObject({ status: 'completed' });
    expect(cleanLedger.outcomes.length).toBeGreaterThanOrEqual(4);
    expect(chaosLedger).toEqual(cleanLedger);
  }, 240_000);
});
