import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Controller, Module } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { sql } from 'kysely';
import { from, type Observable } from 'rxjs';
import {
  ConsumerRunner,
  ContractEventPattern,
  EventPublisher,
  KafkaEventContext,
  TopicNames,
  createKafka,
  deterministicEventId,
  type CloudEvent,
} from '@passerelle/messaging';
import { startEventApp, type RunningEventApp } from '@passerelle/runtime';
import { eoAdapterApp } from '../../apps/eo-adapter/src/eo-adapter.app';
import { owAdapterApp } from '../../apps/ow-adapter/src/ow-adapter.app';
import { referralTrackerApp } from '../../apps/referral-tracker/src/referral-tracker.app';
import { webhookDispatcherApp } from '../../apps/webhook-dispatcher/src/webhook-dispatcher.app';
import { testDatabaseUrl } from '../support/database';
import {
  committedOffset,
  headersAsStrings,
  readRecords,
  testBrokers,
  testKafka,
  uniqueName,
  waitFor,
} from '../support/kafka';
import { FAST_RETRIES, suiteEnv } from '../support/suite-env';

const ROOT = join(__dirname, '..', '..');
const received: Array<{ data: unknown; eventId: string; offset: string }> = [];
let slowRelease: (() => void) | undefined;
const slowFinished: string[] = [];

@Controller()
class ProbeHandlers {
  @ContractEventPattern('ca.on.passerelle.referral.submitted')
  submitted(@Payload() data: unknown, @Ctx() ctx: KafkaEventContext): void {
    received.push({ data, eventId: ctx.inbound.event.id, offset: ctx.inbound.offset });
  }

  @ContractEventPattern('ca.on.passerelle.referral.accepted')
  accepted(@Payload() data: { n: number }): Observable<void> {
    return from(
      Promise.resolve().then(() => {
        received.push({ data, eventId: 'observable', offset: '' });
      }),
    );
  }

  @ContractEventPattern('ca.on.passerelle.referral.rejected')
  rejected(): void {
    throw new Error('transition refused: rejected without a coded reason');
  }

  @ContractEventPattern('ca.on.passerelle.referral.on-hold')
  async slow(@Ctx() ctx: KafkaEventContext): Promise<void> {
    await new Promise<void>((resolve) => {
      slowRelease = resolve;
    });
    slowFinished.push(ctx.inbound.offset);
  }
}

@Module({ controllers: [ProbeHandlers] })
class ProbeModule {}

function event(type: string, n: number, data: Record<string, unknown> = {}): CloudEvent {
  const id = deterministicEventId({ sourceSystem: 'test', recordId: String(n), version: 1, type });
  return {
    specversion: '1.0',
    id,
    source: '/test',
    type,
    partitionkey: 'client-1',
    datacontenttype: 'application/json',
    data: { n, ...data },
  };
}

describe('event-driven apps on the Nest custom transport', () => {
  const prefix = `${uniqueName('apps')}.`;
  const schema = uniqueName('t_apps').replace(/-/g, '_');
  const env = suiteEnv(prefix, schema, { ...FAST_RETRIES, KAFKA_TOPIC_PARTITIONS: '1' });
  const names = new TopicNames(prefix);
  const kafka = createKafka({ brokers: testBrokers(), clientId: 'apps-e2e' });
  const publisher = new EventPublisher(kafka);
  let probe: RunningEventApp | undefined;

  beforeAll(async () => {
    probe = await startEventApp(
      { name: 'probe', module: ProbeModule, topics: ['referrals.v1'], unknownTypes: 'skip' },
      env,
    );
  }, 120_000);

  afterAll(async () => {
    await probe?.close();
    await publisher.disconnect();
    const { openDatabase, dropSchema } = await import('@passerelle/persistence');
    const handle = openDatabase({ url: testDatabaseUrl(), schema });
    await dropSchema(handle);
    await handle.close();
  });

  it('routes each CloudEvent type to its @EventPattern handler, with the event in the context', async () => {
    const submitted = event('ca.on.passerelle.referral.submitted', 1);
    await publisher.publish(names.of('referrals.v1'), [
      submitted,
      event('ca.on.passerelle.referral.cancelled', 2), // no handler here: skipped on a canonical topic
      event('ca.on.passerelle.referral.accepted', 3),
    ]);
    await waitFor(() => received.length === 2, 30_000, 'both handled events');
    expect(received[0]).toEqual({ data: { n: 1 }, eventId: submitted.id, offset: '0' });
    expect(received[1].data).toEqual({ n: 3 });
    await waitFor(
      async () => (await committedOffset(testKafka(), `${prefix}passerelle-probe`, names.of('referrals.v1'))) === '3',
      15_000,
      'commit past the skipped event',
    );
  });

  it('parks an event whose handler throws on the DLQ after the configured attempts', async () => {
    const rejected = event('ca.on.passerelle.referral.rejected', 4);
    await publisher.publish(names.of('referrals.v1'), [rejected]);
    const [dead] = await readRecords(testKafka(), names.of('referrals.v1.dlq'), 1);
    expect(headersAsStrings(dead.headers)).toMatchObject({
      ce_id: rejected.id,
      dlq_error: 'transition refused: rejected without a coded reason',
      dlq_error_code: 'HANDLER_FAILED',
      dlq_attempts: '2',
    });
  });

  it('drains on close: the handler in flight finishes and its offset is committed', async () => {
    const before = Number(await committedOffset(testKafka(), `${prefix}passerelle-probe`, names.of('referrals.v1')));
    await publisher.publish(names.of('referrals.v1'), [event('ca.on.passerelle.referral.on-hold', 5)]);
    await waitFor(() => slowRelease !== undefined, 30_000, 'the slow handler to start');
    // The handler finishes only once the close has reached the consumer's stop (which marks it
    // no longer running before it returns): the drain, not the handler, decides what is committed.
    const stopSpy = jest.spyOn(ConsumerRunner.prototype, 'stop');
    try {
      const closing = probe!.close();
      await waitFor(() => stopSpy.mock.calls.length > 0, 30_000, 'the close to reach the consumer');
      slowRelease!();
      await closing;
    } finally {
      stopSpy.mockRestore();
    }
    expect(slowFinished).toEqual([String(before)]);
    expect(await committedOffset(testKafka(), `${prefix}passerelle-probe`, names.of('referrals.v1'))).toBe(
      String(before + 1),
    );
  });

  it.each([
    ['ow-adapter', owAdapterApp, 'ow.case-records.v1'],
    ['eo-adapter', eoAdapterApp, 'eo.service-records.v1'],
  ] as const)(
    '%s boots, migrates, and parks raw records it cannot map yet on the DLQ (NO_HANDLER)',
    async (_name, definition, topic) => {
      const app = await startEventApp(definition, env);
      try {
        const record = event('ca.on.passerelle.source.recorded', 6);
        await publisher.publish(names.of(topic), [record]);
        const [dead] = await readRecords(testKafka(), names.of(`${topic}.dlq`), 1);
        expect(headersAsStrings(dead.headers)).toMatchObject({
          ce_id: record.id,
          dlq_error_code: 'NO_HANDLER',
          dlq_attempts: '1',
        });
        const migrations = await sql<{ name: string }>`select name from kysely_migration`.execute(app.database.db);
        expect(migrations.rows.map((r) => r.name)).toContain('0001_inbox');
      } finally {
        await app.close();
      }
    },
  );

  it('asks the master key of the apps that handle personal data, and of them only', async () => {
    const { PERSONAL_DATA_MASTER_KEY: _key, ...keyless } = env;
    await expect(startEventApp(owAdapterApp, keyless)).rejects.toThrow('PERSONAL_DATA_MASTER_KEY is required');
    await expect(startEventApp(referralTrackerApp, keyless)).rejects.toThrow('PERSONAL_DATA_MASTER_KEY is required');
    // The dispatcher never reads a `personal` member: it starts without the key.
    const dispatcher = await startEventApp(webhookDispatcherApp, keyless);
    await dispatcher.close();
  });

  it('referral-tracker boots and consumes the canonical topics', async () => {
    const app = await startEventApp(referralTrackerApp, env);
    try {
      await publisher.publish(names.of('clients.v1'), [event('ca.on.passerelle.client.linked', 7)]);
      await waitFor(
        async () =>
          (await committedOffset(testKafka(), `${prefix}passerelle-referral-tracker`, names.of('clients.v1'))) === '1',
        30_000,
        'the tracker to consume clients.v1',
      );
    } finally {
      await app.close();
    }
  });

  it('a deployable process stops on SIGTERM with exit code 0 after draining', async () => {
    const child = spawn(
      process.execPath,
      ['-r', join(ROOT, 'scripts', 'register-ts.cjs'), join(ROOT, 'apps', 'referral-tracker', 'src', 'main.ts')],
      { cwd: ROOT, env: { ...process.env, ...env, LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await waitFor(() => out.includes('consuming referrals.v1'), 60_000, 'the tracker process to start');
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(out).toContain('SIGTERM: draining in-flight work');
  }, 90_000);
});
