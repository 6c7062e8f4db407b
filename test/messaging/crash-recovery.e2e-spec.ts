import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { sql } from 'kysely';
import type { DatabaseHandle } from '@passerelle/persistence';
import { EventPublisher, createKafka, deterministicEventId, dlqTopicFor } from '@passerelle/messaging';
import { dropSuiteDatabase, openSuiteDatabase, testDatabaseUrl } from '../support/database';
import { committedOffset, createTopics, testBrokers, testKafka, uniqueName, waitFor } from '../support/kafka';

const ROOT = join(__dirname, '..', '..');

interface ConsumerProcess {
  child: ChildProcess;
  lines: string[];
  exited: Promise<NodeJS.Signals | number | null>;
}

function startConsumer(env: Record<string, string>): ConsumerProcess {
  const child = spawn(
    process.execPath,
    ['-r', join(ROOT, 'scripts', 'register-ts.cjs'), join(__dirname, 'fixtures', 'inbox-consumer.ts')],
    { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const lines: string[] = [];
  let buffer = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const parts = buffer.split('\n');
    buffer = parts.pop()!;
    lines.push(...parts.map((l) => l.trim()).filter((l) => /^(ready|delivered|applied)\b/.test(l)));
  });
  child.stderr.on('data', () => undefined);
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(signal ?? code)),
  );
  return { child, lines, exited };
}

describe('a consumer that dies after applying an event but before committing its offset', () => {
  let database: DatabaseHandle;

  beforeAll(async () => {
    database = await openSuiteDatabase('crash');
  });
  afterAll(async () => {
    await dropSuiteDatabase(database);
  });

  it('gets the event again after restart, and the ce_id inbox applies it once', async () => {
    const topic = uniqueName('crash');
    const groupId = uniqueName('crash-group');
    await createTopics(testKafka(), [topic, dlqTopicFor(topic)]);
    const kafka = createKafka({ brokers: testBrokers(), clientId: 'crash-e2e' });
    const publisher = new EventPublisher(kafka);
    const type = 'ca.on.passerelle.referral.accepted';
    const id = deterministicEventId({ sourceSystem: 'cams', recordId: 'SR-1', version: 1, type });
    await publisher.publish(topic, [
      { specversion: '1.0', id, source: '/eo/cams', type, datacontenttype: 'application/json', data: { ok: true } },
    ]);
    await publisher.disconnect();

    const env = {
      KAFKA_BROKERS: testBrokers().join(','),
      DATABASE_URL: testDatabaseUrl(),
      DATABASE_SCHEMA: database.schema,
      TOPIC: topic,
      GROUP_ID: groupId,
    };
    const first = startConsumer({ ...env, CRASH_AFTER_APPLY: '1' });
    expect(await first.exited).toBe('SIGKILL');
    expect(first.lines).toContain(`applied ${id} true`);
    expect(await committedOffset(testKafka(), groupId, topic)).toBe('-1');

    const second = startConsumer({ ...env, CRASH_AFTER_APPLY: '0' });
    try {
      await waitFor(() => second.lines.includes(`applied ${id} false`), 60_000, 'the redelivery');
      expect(second.lines).toContain(`delivered ${id}`);
      await waitFor(async () => (await committedOffset(testKafka(), groupId, topic)) === '1', 15_000, 'the commit');
    } finally {
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
    }

    const rows = await sql<{ n: string }>`select count(*) as n from inbox where event_id = ${id}`.execute(database.db);
    expect(rows.rows[0].n).toBe('1');
  }, 120_000);
});
