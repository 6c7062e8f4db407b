import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  schemaRegistry,
  type Consent,
  type OwCaseRecord,
  type Referral,
  type ReferralNotification,
} from '@passerelle/contracts';
import { EventPublisher, TopicNames, createKafka, type CloudEvent } from '@passerelle/messaging';
import { dropSchema, openDatabase, type DatabaseHandle } from '@passerelle/persistence';
import { startEventApp, type RunningEventApp } from '@passerelle/runtime';
import { mapOwCaseRecord } from '../../apps/ow-adapter/src/mapping';
import { referralTrackerApp } from '../../apps/referral-tracker/src/referral-tracker.app';
import { testDatabaseUrl } from '../support/database';
import {
  headersAsStrings,
  readRecordsUntil,
  testBrokers,
  testKafka,
  uniqueName,
  waitFor,
  type ReadRecord,
} from '../support/kafka';
import { FAST_RETRIES, suiteEnv } from '../support/suite-env';

const FIXTURE = join(__dirname, '..', 'fixtures', 'sources', 'ow-case-record', 'eloise-cote-tremblay-referral.json');

/**
 * The canonical events the OW adapter emits for the Sudbury fixture (consent granted, referral
 * submitted), for a client and referral of the test's own, with the postal code it asks for.
 */
function canonicalEvents(
  tag: string,
  postalCode: string,
): { consent: CloudEvent<Consent>; referral: CloudEvent<Referral> } {
  const record = JSON.parse(readFileSync(FIXTURE, 'utf8')) as OwCaseRecord;
  record.sourceRecordId = `${record.sourceRecordId}-${tag}`;
  record.referralRequest!.referralId = `${record.referralRequest!.referralId}-${tag}`;
  record.referralRequest!.consentId = `${record.referralRequest!.consentId}-${tag}`;
  record.consents = record.consents!.map((c) => ({ ...c, consentId: `${c.consentId}-${tag}` }));
  record.personal.contact!.address!.postalCode = postalCode;
  const clientId = crypto.randomUUID();
  const mapped = mapOwCaseRecord(record, { clientId, sourceEventId: `raw-${tag}` });
  if (!mapped.ok) throw new Error(mapped.reasons.join('; '));
  const pick = <T>(type: string): CloudEvent<T> =>
    mapped.events.find((m) => m.event.type === type)!.event as CloudEvent<T>;
  return {
    consent: pick<Consent>('ca.on.passerelle.consent.granted'),
    referral: pick<Referral>('ca.on.passerelle.referral.submitted'),
  };
}

function withdrawal(consent: CloudEvent<Consent>, at: string): CloudEvent<Consent> {
  return {
    ...consent,
    id: crypto.randomUUID(),
    type: 'ca.on.passerelle.consent.withdrawn',
    time: at,
    data: { ...consent.data, withdrawnAt: at },
  };
}

describe('referral-tracker on the real broker and database', () => {
  const prefix = `${uniqueName('trk')}.`;
  const schema = uniqueName('t_trk').replace(/-/g, '_');
  const env = suiteEnv(prefix, schema, { ...FAST_RETRIES });
  const names = new TopicNames(prefix);
  const kafka = createKafka({ brokers: testBrokers(), clientId: 'tracker-e2e' });
  const publisher = new EventPublisher(kafka);
  let tracker: RunningEventApp | undefined;
  let database: DatabaseHandle;

  beforeAll(async () => {
    tracker = await startEventApp(referralTrackerApp, env);
    database = openDatabase({ url: testDatabaseUrl(), schema });
  }, 120_000);

  afterAll(async () => {
    await tracker?.close();
    await publisher.disconnect();
    await dropSchema(database);
    await database.close();
  });

  const send = (events: CloudEvent[]): Promise<void> => publisher.publish(names.of('referrals.v1'), events);
  const typeOf = (r: ReadRecord): string => headersAsStrings(r.headers).ce_type;
  const about = (referralId: string) => (r: ReadRecord) => headersAsStrings(r.headers).ce_subject === referralId;
  const dataOf = (r: ReadRecord): unknown => JSON.parse(r.value!.toString());
  const referralRow = (referralId: string) =>
    database.db.selectFrom('referral').selectAll().where('referral_id', '=', referralId).executeTakeFirst();
  // The fixtures date from 2025, so response deadlines have passed: overdue entries (system:timer) come and go with timing.
  const historyOf = (referralId: string) =>
    database.db
      .selectFrom('referral_history')
      .selectAll()
      .where('referral_id', '=', referralId)
      .where('actor_org', '!=', 'system:timer')
      .orderBy('id')
      .execute();

  it('routes a consented referral by catchment, tells the referrer, and keeps the history', async () => {
    const { consent, referral } = canonicalEvents('routed', 'P3C 1A1');
    await send([consent, referral]);
    const out = await readRecordsUntil(
      testKafka(),
      names.of('referrals.v1'),
      (rs) => rs.some((r) => typeOf(r) === 'ca.on.passerelle.referral.routed' && about(referral.data.referralId)(r)),
      60_000,
    );
    const routed = out.find(
      (r) => typeOf(r) === 'ca.on.passerelle.referral.routed' && about(referral.data.referralId)(r),
    )!;
    const headers = headersAsStrings(routed.headers);
    const data = dataOf(routed) as Referral;
    expect(routed.key!.toString()).toBe(referral.data.clientId);
    expect(headers.ce_causationid).toBe(referral.id);
    expect(data.status).toBe('requested');
    expect(data.businessStatus).toBe('routed');
    expect(data.provider).toMatch(/^eo:/);
    expect(schemaRegistry().validate(headers.ce_dataschema, data).ok).toBe(true);

    const notes = await readRecordsUntil(
      testKafka(),
      names.of('notifications.v1'),
      (rs) => rs.some(about(referral.data.referralId)),
      60_000,
    );
    const note = dataOf(notes.find(about(referral.data.referralId))!) as ReferralNotification;
    expect(note).toMatchObject({
      change: 'routed',
      recipient: referral.data.referrer,
      provider: data.provider,
      status: 'requested',
    });
    expect(JSON.stringify(note)).not.toContain('Éloïse');

    const row = await referralRow(referral.data.referralId);
    expect(row).toMatchObject({ status: 'requested', business_status: 'routed', provider: data.provider });
    expect(
      (await historyOf(referral.data.referralId)).map((h) => [h.from_status, h.to_status, h.business_status, h.actor]),
    ).toEqual([
      [null, 'requested', 'created', 'referrer'],
      ['requested', 'requested', 'routed', 'system'],
    ]);
  }, 120_000);

  it('waits for consent when the referral comes first, and applies every event once however often it is delivered', async () => {
    const { consent, referral } = canonicalEvents('late-consent', 'P3E 2C5');
    await send([referral, referral]);
    await waitFor(
      async () => (await referralRow(referral.data.referralId))?.business_status === 'created',
      30_000,
      'referral recorded',
    );
    await send([consent, referral, consent]);
    await waitFor(
      async () => (await referralRow(referral.data.referralId))?.business_status === 'routed',
      30_000,
      'referral routed',
    );
    // Let any redundant delivery reach the tracker before counting.
    await send([referral]);
    const inbox = await waitFor(async () => {
      const rows = await database.db
        .selectFrom('inbox')
        .select('event_id')
        .where('event_id', 'in', [referral.id, consent.id])
        .execute();
      return rows.length === 2 ? rows : undefined;
    });
    expect(inbox).toHaveLength(2);
    const out = await readRecordsUntil(
      testKafka(),
      names.of('referrals.v1'),
      (rs) => rs.some((r) => typeOf(r) === 'ca.on.passerelle.referral.routed' && about(referral.data.referralId)(r)),
      60_000,
    );
    expect(
      out.filter((r) => typeOf(r) === 'ca.on.passerelle.referral.routed' && about(referral.data.referralId)(r)),
    ).toHaveLength(1);
    expect(await historyOf(referral.data.referralId)).toHaveLength(2);
  }, 120_000);

  it('sends a referral nothing can serve back to the referrer with the reason', async () => {
    const { consent, referral } = canonicalEvents('nowhere', 'X0A 0H0');
    await send([consent, referral]);
    const out = await readRecordsUntil(
      testKafka(),
      names.of('notifications.v1'),
      (rs) => rs.some(about(referral.data.referralId)),
      60_000,
    );
    const note = dataOf(out.find(about(referral.data.referralId))!) as ReferralNotification;
    expect(note.change).toBe('unroutable');
    expect(note.reason?.code).toMatch(/^NO_/);
    expect(note.reason?.text).toContain('X0A');
    expect(await referralRow(referral.data.referralId)).toMatchObject({
      status: 'requested',
      business_status: 'created',
      provider: null,
    });
  }, 120_000);

  it('cancels the open referral when consent is withdrawn, tells the provider, and carries no personal data afterwards', async () => {
    const { consent, referral } = canonicalEvents('withdrawn', 'P3C 1A1');
    await send([consent, referral]);
    await waitFor(
      async () => (await referralRow(referral.data.referralId))?.business_status === 'routed',
      30_000,
      'referral routed',
    );
    await send([withdrawal(consent, new Date(Date.parse(referral.data.requestedAt) + 86_400_000).toISOString())]);
    const out = await readRecordsUntil(
      testKafka(),
      names.of('referrals.v1'),
      (rs) => rs.some((r) => typeOf(r) === 'ca.on.passerelle.referral.cancelled' && about(referral.data.referralId)(r)),
      60_000,
    );
    const cancelled = dataOf(
      out.find((r) => typeOf(r) === 'ca.on.passerelle.referral.cancelled' && about(referral.data.referralId)(r))!,
    ) as Referral;
    expect(cancelled).toMatchObject({ status: 'cancelled', statusReason: { text: 'consent withdrawn' } });
    expect(cancelled.provider).toMatch(/^eo:/); // the provider it was routed to learns it from this event
    expect(cancelled.personal).toBeUndefined();
    const row = await referralRow(referral.data.referralId);
    expect((row!.snapshot as Referral).personal).toBeUndefined();
    // A new referral under the withdrawn consent is never routed: the gateway refuses it, and its referrer is told.
    const again = canonicalEvents('withdrawn', 'P3C 1A1').referral;
    const second = {
      ...again,
      id: crypto.randomUUID(),
      data: { ...again.data, referralId: crypto.randomUUID(), clientId: referral.data.clientId },
    };
    await send([second]);
    const notes = await readRecordsUntil(
      testKafka(),
      names.of('notifications.v1'),
      (rs) => rs.some(about(second.data.referralId)),
      60_000,
    );
    expect(dataOf(notes.find(about(second.data.referralId))!) as ReferralNotification).toMatchObject({
      change: 'refused',
      status: 'rejected',
      businessStatus: 'refused-by-gateway',
      reason: { code: 'CONSENT_WITHDRAWN', field: '/referralRequest/consentId' },
    });
  }, 120_000);

  it('refuses what the lifecycle forbids (a provider it was not routed to, a decline after acceptance) with the reason on the DLQ', async () => {
    const { consent, referral } = canonicalEvents('illegal', 'P3C 1A1');
    await send([consent, referral]);
    const row = await waitFor(
      async () => {
        const r = await referralRow(referral.data.referralId);
        return r?.business_status === 'routed' ? r : undefined;
      },
      30_000,
      'referral routed',
    );
    const response = (id: string, provider: string, decision: 'accept' | 'decline', at: string): CloudEvent => ({
      specversion: '1.0',
      id,
      source: '/eo/cams/test',
      type: 'ca.on.passerelle.referral.response-recorded',
      time: at,
      subject: referral.data.referralId,
      dataschema: 'https://schemas.passerelle.ontario.ca/v1/canonical/referral-response.json',
      partitionkey: referral.data.clientId,
      datacontenttype: 'application/json',
      data: {
        referralId: referral.data.referralId,
        clientId: referral.data.clientId,
        provider,
        decision,
        ...(decision === 'decline' && { declineReason: 'not-eligible' }),
        decidedAt: at,
        source: { system: 'cams', recordId: 'SR-ILLEGAL', recordVersion: 1 },
      },
    });
    const stranger = response(crypto.randomUUID(), 'eo:provider-999', 'accept', '2025-09-16T10:00:00Z');
    const accepted = response(crypto.randomUUID(), row.provider!, 'accept', '2025-09-16T11:00:00Z');
    const lateDecline = response(crypto.randomUUID(), row.provider!, 'decline', '2025-09-17T11:00:00Z');
    await send([stranger, accepted, lateDecline]);
    const dead = await readRecordsUntil(
      testKafka(),
      names.of('referrals.v1.dlq'),
      (rs) => [stranger.id, lateDecline.id].every((id) => rs.some((r) => headersAsStrings(r.headers).ce_id === id)),
      60_000,
    );
    const reasonOf = (id: string) =>
      headersAsStrings(dead.find((r) => headersAsStrings(r.headers).ce_id === id)!.headers);
    expect(reasonOf(stranger.id).dlq_error_code).toBe('ACTOR_NOT_ALLOWED');
    expect(reasonOf(stranger.id).dlq_error).toContain('eo:provider-999');
    expect(reasonOf(lateDecline.id).dlq_error_code).toBe('ILLEGAL_TRANSITION');
    // The legal change between them went through, once.
    expect(await referralRow(referral.data.referralId)).toMatchObject({ status: 'accepted' });
    expect((await historyOf(referral.data.referralId)).map((h) => h.to_status)).toEqual([
      'requested',
      'requested',
      'accepted',
    ]);
  }, 120_000);

  it('parks an event whose data breaks its schema on the DLQ with the reason, and goes on', async () => {
    const { consent, referral } = canonicalEvents('broken', 'P3C 1A1');
    const broken = {
      ...referral,
      id: crypto.randomUUID(),
      data: { ...referral.data, serviceWanted: 'juggling' },
    } as unknown as CloudEvent;
    await send([broken, consent, referral]);
    const dead = await readRecordsUntil(
      testKafka(),
      names.of('referrals.v1.dlq'),
      (rs) => rs.some((r) => headersAsStrings(r.headers).ce_id === broken.id),
      60_000,
    );
    const headers = headersAsStrings(dead.find((r) => headersAsStrings(r.headers).ce_id === broken.id)!.headers);
    expect(headers.dlq_error_code).toBe('INVALID_EVENT');
    expect(headers.dlq_error).toContain('/serviceWanted');
    await waitFor(
      async () => (await referralRow(referral.data.referralId))?.business_status === 'routed',
      30_000,
      'good referral routed',
    );
  }, 120_000);
});
