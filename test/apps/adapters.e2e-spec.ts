import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { SchemaIds, schemaRegistry, type EoServiceRecord, type OwCaseRecord } from '@passerelle/contracts';
import { isSealedPersonal, PersonalDataVault } from '@passerelle/crypto';
import { EventPublisher, TopicNames, createKafka, deterministicEventId, type CloudEvent } from '@passerelle/messaging';
import { dropSchema, openDatabase } from '@passerelle/persistence';
import { startEventApp, type RunningEventApp } from '@passerelle/runtime';
import { eoAdapterApp } from '../../apps/eo-adapter/src/eo-adapter.app';
import { owAdapterApp } from '../../apps/ow-adapter/src/ow-adapter.app';
import { testDatabaseUrl } from '../support/database';
import {
  headersAsStrings,
  readRecords,
  readRecordsUntil,
  testBrokers,
  testKafka,
  uniqueName,
  type ReadRecord,
} from '../support/kafka';
import { FAST_RETRIES, suiteEnv } from '../support/suite-env';

const FIXTURES = join(__dirname, '..', 'fixtures', 'sources');
const RAW_TYPE = 'ca.on.passerelle.ow-case-record.received';

const validRecords = (): OwCaseRecord[] => [
  ...readdirSync(join(FIXTURES, 'ow-case-record')).map(
    (f) => JSON.parse(readFileSync(join(FIXTURES, 'ow-case-record', f), 'utf8')) as OwCaseRecord,
  ),
  ...readFileSync(join(FIXTURES, 'ow-case-record.ndjson'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as OwCaseRecord),
];
const fixture = (
  folder: 'invalid' | 'unmapped',
  name: string,
): { record: OwCaseRecord; expect: Array<{ pointer: string; code: string }> } =>
  JSON.parse(readFileSync(join(FIXTURES, folder, name), 'utf8'));

/** `tag` keeps apart fixtures that reuse one record id and version with different content. */
function raw(record: OwCaseRecord, tag = ''): CloudEvent<OwCaseRecord> {
  return {
    specversion: '1.0',
    id: deterministicEventId({
      sourceSystem: 'gateway',
      recordId: record.sourceRecordId,
      version: record.recordVersion,
      type: `${RAW_TYPE}${tag}`,
    }),
    source: '/v1/ow/case-records',
    type: RAW_TYPE,
    time: record.recordedAt,
    // The invalid fixtures are typed as records but may lack `personal`.
    partitionkey: (record as Partial<OwCaseRecord>).personal?.memberId ?? 'unknown',
    datacontenttype: 'application/json',
    data: record,
  };
}

/** Each client event's data with its sealed `personal` opened by the app's own vault. */
async function openedData(app: RunningEventApp, events: ReadRecord[]): Promise<unknown[]> {
  const vault = app.app.get(PersonalDataVault);
  return Promise.all(
    events.map(async (event) => {
      const data = JSON.parse(event.value!.toString()) as { clientId: string; personal: unknown };
      expect(isSealedPersonal(data.personal)).toBe(true);
      return { ...data, personal: await vault.reveal(data.clientId, data.personal) };
    }),
  );
}

describe('ow-adapter on the real broker: raw OW records in, canonical events out', () => {
  const prefix = `${uniqueName('owa')}.`;
  const schema = uniqueName('t_owa').replace(/-/g, '_');
  const env = suiteEnv(prefix, schema, { ...FAST_RETRIES });
  const names = new TopicNames(prefix);
  const kafka = createKafka({ brokers: testBrokers(), clientId: 'adapters-e2e' });
  const publisher = new EventPublisher(kafka);
  const apps: RunningEventApp[] = [];

  beforeAll(async () => {
    // Two instances in one consumer group: they split the partitions between them.
    apps.push(await startEventApp(owAdapterApp, env));
    apps.push(await startEventApp(owAdapterApp, env));
  }, 120_000);

  afterAll(async () => {
    await Promise.all(apps.map((a) => a.close()));
    await publisher.disconnect();
    const handle = openDatabase({ url: testDatabaseUrl(), schema });
    await dropSchema(handle);
    await handle.close();
  });

  it('maps every valid record, parks bad ones with their reason, and loses nothing between two instances', async () => {
    const records = validRecords();
    const invalid = fixture('invalid', 'ow-missing-birth-date.json');
    const unmapped = fixture('unmapped', 'ow-unknown-activity-and-purpose.json');
    // Bad records sit between good ones: the good ones behind them must flow on.
    const bad = [raw(invalid.record, ':invalid'), raw(unmapped.record, ':unmapped')];
    const batch = [...records.slice(0, 3).map((r) => raw(r)), ...bad, ...records.slice(3).map((r) => raw(r))];
    await publisher.publish(names.of('ow.case-records.v1'), batch);

    const dead = await readRecords(testKafka(), names.of('ow.case-records.v1.dlq'), 2, 60_000);
    const reasons = Object.fromEntries(dead.map((d) => headersAsStrings(d.headers)).map((h) => [h.ce_id, h]));
    const invalidDead = reasons[bad[0].id];
    expect(invalidDead.dlq_error_code).toBe('SOURCE_SCHEMA_VIOLATION');
    expect(invalidDead.dlq_error).toContain('/personal');
    expect(invalidDead.dlq_attempts).toBe('1');
    const unmappedDead = reasons[bad[1].id];
    expect(unmappedDead.dlq_error_code).toBe('SOURCE_RECORD_REFUSED');
    for (const { pointer, code } of unmapped.expect) {
      expect(unmappedDead.dlq_error).toContain(pointer);
      expect(unmappedDead.dlq_error).toContain(code);
    }

    // One client event per valid record reaches clients.v1, keyed by the canonical clientId.
    // At-least-once: a rebalance between the two instances may redeliver a record, which then
    // yields the very same events (same ce_id); read until every record's events are there.
    const expected = records.map((r) => raw(r).id);
    const causesOf = (events: ReadRecord[]): Set<string> =>
      new Set(events.map((e) => headersAsStrings(e.headers).ce_causationid));
    const clientEvents = await readRecordsUntil(
      testKafka(),
      names.of('clients.v1'),
      (events) => {
        const causes = causesOf(events);
        return expected.every((id) => causes.has(id));
      },
      60_000,
    );
    // Every `personal` is sealed; the suite's master key opens it, as an entitled consumer's would.
    const opened = await openedData(apps[0], clientEvents);
    const byId = new Map<string, string>();
    clientEvents.forEach((event, n) => {
      const h = headersAsStrings(event.headers);
      const value = JSON.stringify(opened[n]);
      expect(byId.get(h.ce_id) ?? value).toBe(value); // duplicates say the same (each sealed with its own IV)
      byId.set(h.ce_id, value);
    });
    for (const event of clientEvents) {
      const headers = headersAsStrings(event.headers);
      expect(schemaRegistry().validate(SchemaIds.cloudEventHeaders, headers).ok).toBe(true);
      expect(event.key!.toString()).toBe(headers.ce_partitionkey);
      const data = JSON.parse(event.value!.toString()) as { clientId: string };
      expect(data.clientId).toBe(headers.ce_partitionkey);
      expect(schemaRegistry().validate(headers.ce_dataschema, data).ok).toBe(true);
    }
    // French names come through intact, and only sealed: no topic holds them in clear.
    expect(opened.map((data) => JSON.stringify(data)).join('\n')).toContain('Côté-Tremblay');
    expect(clientEvents.map((e) => e.value!.toString()).join('\n')).not.toContain('Tremblay');

    // Both instances hold partitions of the raw topic.
    const admin = kafka.admin();
    await admin.connect();
    const { groups } = await admin.describeGroups([`${prefix}passerelle-ow-adapter`]);
    await admin.disconnect();
    expect(groups[0].members.length).toBe(2);
  }, 120_000);

  it('publishes the same events with the same ids when a record is delivered again', async () => {
    const records = validRecords();
    await publisher.publish(names.of('ow.case-records.v1'), [raw(records[0])]);
    // Every record once from the first test, plus the redelivered one.
    const copiesOf = (events: ReadRecord[]) =>
      events.map((e) => headersAsStrings(e.headers)).filter((h) => h.ce_causationid === raw(records[0]).id);
    // Its first mapping (maybe redelivered once already) plus this one: at least two copies.
    const all = await readRecordsUntil(
      testKafka(),
      names.of('clients.v1'),
      (events) => copiesOf(events).length >= 2,
      60_000,
    );
    const copies = copiesOf(all);
    expect(new Set(copies.map((c) => c.ce_id)).size).toBe(1);
  }, 120_000);
});

describe('ow-adapter and eo-adapter together: one client across networks', () => {
  const prefix = `${uniqueName('xnet')}.`;
  const schema = uniqueName('t_xnet').replace(/-/g, '_');
  const env = suiteEnv(prefix, schema, { KAFKA_TOPIC_PARTITIONS: '1' });
  const names = new TopicNames(prefix);
  const kafka = createKafka({ brokers: testBrokers(), clientId: 'xnet-e2e' });
  const publisher = new EventPublisher(kafka);
  const apps: RunningEventApp[] = [];

  beforeAll(async () => {
    apps.push(await startEventApp(owAdapterApp, env));
    apps.push(await startEventApp(eoAdapterApp, env));
  }, 120_000);

  afterAll(async () => {
    await Promise.all(apps.map((a) => a.close()));
    await publisher.disconnect();
    const handle = openDatabase({ url: testDatabaseUrl(), schema });
    await dropSchema(handle);
    await handle.close();
  });

  it('links the CaMS record carrying a SAMS member id to the client the OW record created', async () => {
    const ow = JSON.parse(
      readFileSync(join(FIXTURES, 'ow-case-record', 'eloise-cote-tremblay-referral.json'), 'utf8'),
    ) as OwCaseRecord;
    const eo = JSON.parse(
      readFileSync(join(FIXTURES, 'eo-service-record', 'eloise-cote-tremblay-accepted.json'), 'utf8'),
    ) as EoServiceRecord;
    expect(eo.personal.samsMemberId).toBe(ow.personal.memberId);
    await publisher.publish(names.of('ow.case-records.v1'), [raw(ow)]);
    const [owClient] = await readRecords(testKafka(), names.of('clients.v1'), 1, 60_000);
    const eoType = 'ca.on.passerelle.eo-service-record.received';
    await publisher.publish(names.of('eo.service-records.v1'), [
      {
        specversion: '1.0',
        id: deterministicEventId({
          sourceSystem: 'gateway',
          recordId: eo.sourceRecordId,
          version: eo.recordVersion,
          type: eoType,
        }),
        source: '/v1/provider/service-records',
        type: eoType,
        partitionkey: eo.personal.clientReferenceNumber,
        datacontenttype: 'application/json',
        data: eo,
      },
    ]);
    const clientEvents = await readRecords(testKafka(), names.of('clients.v1'), 2, 60_000);
    const keys = new Set(clientEvents.map((e) => e.key!.toString()));
    expect(keys).toEqual(new Set([owClient.key!.toString()]));
    const eoClient = clientEvents.find((e) => headersAsStrings(e.headers).ce_source.startsWith('/eo/'))!;
    const [eoData] = await openedData(apps[1], [eoClient]);
    const links = (eoData as { personal: { links: Array<{ system: string }> } }).personal.links;
    expect(links.map((l) => l.system).sort()).toEqual(expect.arrayContaining(['cams', 'sams']));
  }, 120_000);
});
