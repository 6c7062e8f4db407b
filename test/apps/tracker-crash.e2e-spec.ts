import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { EventPublisher, TopicNames, createKafka } from '@passerelle/messaging';
import { dropSchema, migrateToLatest, openDatabase, type DatabaseHandle } from '@passerelle/persistence';
import { clientPath } from '../support/client-path';
import { testDatabaseUrl } from '../support/database';
import { headersAsStrings, readRecordsUntil, testBrokers, testKafka, uniqueName, waitFor } from '../support/kafka';
import { suiteEnv } from '../support/suite-env';

const ROOT = join(__dirname, '..', '..');

/** The referral tracker as it runs in production: its own process, `main.ts`, settings from the environment. */
function startTracker(env: Record<string, string>): {
  child: ChildProcess;
  exited: Promise<unknown>;
  ready: Promise<void>;
} {
  const child = spawn(
    process.execPath,
    ['-r', join(ROOT, 'scripts', 'register-ts.cjs'), join(ROOT, 'apps', 'referral-tracker', 'src', 'main.ts')],
    {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      // The consumer joined its group: the app is up.
      if (output.includes('consuming ')) resolve();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`tracker exited early (${String(code)}): ${output.slice(-2_000)}`)));
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return { child, exited, ready };
}

describe('referral-tracker killed mid-stream (two replicas, one SIGKILLed) and restarted', () => {
  const prefix = `${uniqueName('crash-trk')}.`;
  const schema = uniqueName('t_crash_trk').replace(/-/g, '_');
  const env = suiteEnv(prefix, schema, { TRACKER_TIMER_POLL_MS: '100', LOG_LEVEL: 'info' });
  const names = new TopicNames(prefix);
  const kafka = createKafka({ brokers: testBrokers(), clientId: 'tracker-crash-e2e' });
  const publisher = new EventPublisher(kafka);
  const children: ChildProcess[] = [];
  let database: DatabaseHandle;

  beforeAll(async () => {
    database = openDatabase({ url: testDatabaseUrl(), schema });
    await migrateToLatest(database);
  });

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await publisher.disconnect();
    await dropSchema(database);
    await database.close();
  });

  it('loses nothing, applies nothing twice, and fires every timer once', async () => {
    const clients = 25;
    const paths = Array.from({ length: clients }, (_, n) => clientPath(crypto.randomUUID(), n + 1));
    const distinct = new Set(paths.flatMap((p) => p.events.map((e) => e.event.id))).size;

    const first = startTracker(env);
    const second = startTracker(env);
    children.push(first.child, second.child);
    await Promise.all([first.ready, second.ready]);

    // Publish the paths in waves; kill one replica while events are in flight.
    const topics = ['referrals.v1', 'service-events.v1', 'outcomes.v1'] as const;
    const publishWave = async (wave: typeof paths): Promise<void> => {
      for (const topic of topics) {
        const events = wave.flatMap((p) => p.events.filter((e) => e.topic === topic).map((e) => e.event));
        await publisher.publish(names.of(topic), events);
      }
    };
    await publishWave(paths.slice(0, 10));
    await waitFor(
      async () => ((await database.db.selectFrom('inbox').select('event_id').execute()).length > 20 ? true : undefined),
      60_000,
      'work under way',
    );
    first.child.kill('SIGKILL');
    await first.exited;
    await publishWave(paths.slice(10));
    const restarted = startTracker(env);
    children.push(restarted.child);
    await restarted.ready;

    // Nothing lost: every distinct event applied, nothing parked, every referral completed.
    await waitFor(
      async () => {
        const inbox = (await database.db.selectFrom('inbox').select('event_id').execute()).length;
        const parked = (await database.db.selectFrom('parked_event').select('id').execute()).length;
        const completed = (
          await database.db.selectFrom('referral').select('referral_id').where('status', '=', 'completed').execute()
        ).length;
        return inbox === distinct && parked === 0 && completed === clients ? true : undefined;
      },
      120_000,
      'every event applied and every referral completed',
    );

    // Nothing applied twice: each referral's history has each change once.
    const history = await database.db
      .selectFrom('referral_history')
      .select(['referral_id', 'to_status', 'business_status', 'event_id'])
      .where('actor_org', '!=', 'system:timer')
      .execute();
    const changes = history.map((h) => `${h.referral_id}|${h.to_status}|${h.business_status}|${h.event_id}`);
    expect(new Set(changes).size).toBe(changes.length);
    for (const path of paths) {
      const statuses = history.filter((h) => h.referral_id === path.referralId).map((h) => h.to_status);
      expect(statuses.filter((s) => s === 'accepted')).toHaveLength(1);
      expect(statuses.filter((s) => s === 'completed')).toHaveLength(1);
    }

    // Timers fired once: each in the table once, fired, and one follow-up-due id per timer on Kafka
    // (a relay killed between delivery and delete may deliver a copy: same ce_id, deduplicated downstream).
    const timers = await waitFor(
      async () => {
        const rows = await database.db.selectFrom('timer').selectAll().where('kind', '=', 'follow-up-due').execute();
        return rows.length > 0 && rows.every((t) => t.fired_at !== null || t.cancelled_at !== null) ? rows : undefined;
      },
      60_000,
      'timers settled',
    );
    const fired = timers.filter((t) => t.fired_at !== null);
    expect(new Set(timers.map((t) => t.timer_key)).size).toBe(timers.length);
    await waitFor(
      async () => ((await database.db.selectFrom('outbox').select('id').execute()).length === 0 ? true : undefined),
      60_000,
      'outbox drained',
    );
    const due = await readRecordsUntil(
      testKafka(),
      names.of('outcomes.v1'),
      (rs) =>
        new Set(
          rs
            .filter((r) => headersAsStrings(r.headers).ce_type === 'ca.on.passerelle.outcome.follow-up-due')
            .map((r) => headersAsStrings(r.headers).ce_id),
        ).size >= fired.length,
      60_000,
    );
    const dueIds = new Set(
      due
        .filter((r) => headersAsStrings(r.headers).ce_type === 'ca.on.passerelle.outcome.follow-up-due')
        .map((r) => headersAsStrings(r.headers).ce_id),
    );
    expect(dueIds.size).toBe(fired.length);

    for (const child of [second.child, restarted.child]) child.kill('SIGTERM');
    await Promise.all([second.exited, restarted.exited]);
  }, 300_000);
});
