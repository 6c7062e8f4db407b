import type { EoServiceRecord, Referral } from '@passerelle/contracts';
import { EventPublisher, TopicNames, createKafka, deterministicEventId, type CloudEvent } from '@passerelle/messaging';
import { dropSchema, openDatabase, type DatabaseHandle } from '@passerelle/persistence';
import { startEventApp, type RunningEventApp } from '@passerelle/runtime';
import { eoAdapterApp } from '../../apps/eo-adapter/src/eo-adapter.app';
import { owAdapterApp } from '../../apps/ow-adapter/src/ow-adapter.app';
import { findPersonalData } from '../../apps/referral-tracker/src/ministry/personal-data-scan';
import { referralTrackerApp } from '../../apps/referral-tracker/src/referral-tracker.app';
import { nextYear, readFixture } from '../support/client-path';
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

const read = readFixture;

function raw<T extends { sourceRecordId: string; recordVersion: number; recordedAt: string }>(
  type: string,
  record: T,
  key: string,
): CloudEvent<T> {
  return {
    specversion: '1.0',
    id: deterministicEventId({
      sourceSystem: 'gateway',
      recordId: record.sourceRecordId,
      version: record.recordVersion,
      type,
    }),
    source: '/test',
    type,
    time: record.recordedAt,
    partitionkey: key,
    datacontenttype: 'application/json',
    data: record,
  };
}

describe('closed loop: one referral from submission to its 12-month outcome, through both adapters and the tracker', () => {
  const prefix = `${uniqueName('loop')}.`;
  const schema = uniqueName('t_loop').replace(/-/g, '_');
  const env = suiteEnv(prefix, schema, { ...FAST_RETRIES });
  const names = new TopicNames(prefix);
  const kafka = createKafka({ brokers: testBrokers(), clientId: 'loop-e2e' });
  const publisher = new EventPublisher(kafka);
  const apps: RunningEventApp[] = [];
  let database: DatabaseHandle;

  beforeAll(async () => {
    apps.push(
      await startEventApp(owAdapterApp, env),
      await startEventApp(eoAdapterApp, env),
      await startEventApp(referralTrackerApp, env),
    );
    database = openDatabase({ url: testDatabaseUrl(), schema });
  }, 180_000);

  afterAll(async () => {
    await Promise.all(apps.map((a) => a.close()));
    await publisher.disconnect();
    await dropSchema(database);
    await database.close();
  });

  const typeOf = (r: ReadRecord): string => headersAsStrings(r.headers).ce_type;
  const ofType = (type: string) => (rs: ReadRecord[]) => rs.filter((r) => typeOf(r) === type);
  const referralRow = (id: string) =>
    database.db.selectFrom('referral').selectAll().where('referral_id', '=', id).executeTakeFirst();

  it('routes, is accepted, starts, schedules and fires follow-ups once, correlates outcomes, completes, and reports de-identified', async () => {
    // 1. The delivery agent's record: consent and referral.
    const ow = read('ow-case-record/eloise-cote-tremblay-referral.json');
    await publisher.publish(names.of('ow.case-records.v1'), [
      raw('ca.on.passerelle.ow-case-record.received', ow, ow.personal.memberId),
    ]);
    const routedRecords = await readRecordsUntil(
      testKafka(),
      names.of('referrals.v1'),
      (rs) => ofType('ca.on.passerelle.referral.routed')(rs).length > 0,
      60_000,
    );
    const routed = JSON.parse(
      ofType('ca.on.passerelle.referral.routed')(routedRecords)[0].value!.toString(),
    ) as Referral;
    expect(routed).toMatchObject({ status: 'requested', businessStatus: 'routed', referrer: 'ow:greater-sudbury' });
    const provider = routed.provider!;
    const clientId = routed.clientId;

    // 2. The provider's CaMS record answers the referral and starts a service plan.
    const base = read('eo-service-record/eloise-cote-tremblay-accepted.json');
    const v1: EoServiceRecord = {
      ...base,
      recordVersion: 1,
      provider: { ...base.provider, providerId: provider.slice('eo:'.length) },
      referralResponse: { ...base.referralResponse!, referralId: routed.referralId },
      // The EO work-clothing support overlaps the one OW issued on 2025-08-25.
      benefitsIssued: base.benefitsIssued!.map((b) =>
        b.benefitTypeCode === 'FS-CLO' ? { ...b, periodStart: '2025-08-20', periodEnd: '2025-08-31' } : b,
      ),
    };
    const crn = v1.personal.clientReferenceNumber;
    await publisher.publish(names.of('eo.service-records.v1'), [
      raw('ca.on.passerelle.eo-service-record.received', v1, crn),
    ]);
    await waitFor(
      async () => (await referralRow(routed.referralId))?.status === 'in-progress',
      60_000,
      'referral in progress',
    );

    // 3. A job starts (a year ago): its 1, 3, 6 and 12-month follow-ups are all due, and fire once each.
    const hamilton = read('eo-service-record/amira-haddad-follow-ups.json');
    const job = nextYear(hamilton.employments!);
    const v2: EoServiceRecord = { ...v1, recordVersion: 2, recordedAt: '2025-11-10T10:00:00-05:00', employments: job };
    await publisher.publish(names.of('eo.service-records.v1'), [
      raw('ca.on.passerelle.eo-service-record.received', v2, crn),
    ]);
    const dueRecords = await readRecordsUntil(
      testKafka(),
      names.of('outcomes.v1'),
      (rs) => ofType('ca.on.passerelle.outcome.follow-up-due')(rs).length >= 4,
      60_000,
    );
    const due = ofType('ca.on.passerelle.outcome.follow-up-due')(dueRecords).map(
      (r) =>
        JSON.parse(r.value!.toString()) as {
          outcomeType: string;
          provider: string;
          referralId?: string;
          dueOn: string;
        },
    );
    expect(due.map((d) => d.outcomeType).sort()).toEqual([
      'ies-employed-1-month',
      'ies-employed-12-months',
      'ies-employed-3-months',
      'ies-employed-6-months',
    ]);
    expect(due.every((d) => d.provider === provider && d.referralId === routed.referralId)).toBe(true);
    // Redelivering the job's record schedules nothing new: still four.
    await publisher.publish(names.of('eo.service-records.v1'), [
      raw('ca.on.passerelle.eo-service-record.received', v2, crn),
    ]);

    // 4. Follow-ups reported and the exit to full-time work: outcomes correlated, referral completed.
    const v3: EoServiceRecord = {
      ...v2,
      recordVersion: 3,
      recordedAt: '2026-11-10T10:00:00-05:00',
      followUps: nextYear(hamilton.followUps),
      exit: nextYear(hamilton.exit),
    };
    await publisher.publish(names.of('eo.service-records.v1'), [
      raw('ca.on.passerelle.eo-service-record.received', v3, crn),
    ]);
    await waitFor(
      async () => (await referralRow(routed.referralId))?.status === 'completed',
      60_000,
      'referral completed',
    );
    const outcomes = await waitFor(
      async () => {
        const rows = await database.db.selectFrom('outcome').selectAll().where('client_id', '=', clientId).execute();
        return rows.length >= 4 ? rows : undefined;
      },
      60_000,
      'four outcomes',
    );
    expect(outcomes.every((o) => o.referral_id === routed.referralId)).toBe(true);

    // Every status change, in order, on referrals.v1, each keyed by the client.
    const referralEvents = await readRecordsUntil(
      testKafka(),
      names.of('referrals.v1'),
      (rs) => ofType('ca.on.passerelle.referral.completed')(rs).length > 0,
      60_000,
    );
    const mine = referralEvents.filter(
      (r) =>
        headersAsStrings(r.headers).ce_subject === routed.referralId &&
        typeOf(r) !== 'ca.on.passerelle.referral.overdue',
    );
    expect(mine.every((r) => r.key!.toString() === clientId)).toBe(true);
    // (the provider's own answers, response-recorded, are inputs: one per version of its record)
    const statusEvents = new Set(
      ['submitted', 'routed', 'accepted', 'started', 'completed'].map((c) => `ca.on.passerelle.referral.${c}`),
    );
    expect(mine.map(typeOf).filter((t) => statusEvents.has(t))).toEqual([...statusEvents]);

    // The referrer heard of each change, and of the duplicate work-clothing support.
    const notes = await readRecordsUntil(
      testKafka(),
      names.of('notifications.v1'),
      (rs) =>
        rs.some((r) => typeOf(r) === 'ca.on.passerelle.support.duplicate-suspected') &&
        rs.some((r) => r.value!.toString().includes('"completed"')),
      60_000,
    );
    const changes = notes
      .filter((r) => typeOf(r) === 'ca.on.passerelle.notification.referral-status-changed')
      .map((r) => (JSON.parse(r.value!.toString()) as { change: string }).change);
    expect(changes).toEqual(expect.arrayContaining(['routed', 'accepted', 'started', 'completed']));
    const duplicate = JSON.parse(
      notes.find((r) => typeOf(r) === 'ca.on.passerelle.support.duplicate-suspected')!.value!.toString(),
    ) as { recipient: string; benefitType: string };
    expect(duplicate).toMatchObject({ recipient: 'ow:greater-sudbury', benefitType: 'work-clothing' });

    // The ministry gets the achieved milestones, and nothing that identifies Éloïse.
    const achieved = outcomes.filter((o) => o.achieved).length;
    expect(achieved).toBeGreaterThanOrEqual(2);
    const ministry = await readRecordsUntil(
      testKafka(),
      names.of('ministry.outcomes.v1'),
      (rs) => rs.length >= achieved,
      60_000,
    );
    expect(ministry).toHaveLength(achieved);
    const known = {
      names: [ow.personal.name.givenName, ow.personal.name.familyName],
      birthDates: [ow.personal.birthDate],
      ids: [clientId, routed.referralId, ow.personal.memberId, crn, ow.sourceRecordId, v1.sourceRecordId],
    };
    for (const record of ministry) {
      const headers = headersAsStrings(record.headers);
      const data = JSON.parse(record.value!.toString()) as {
        subjectPseudonym: string;
        referralPseudonym?: string;
        deliveryAgent: string;
        region: string;
      };
      expect(findPersonalData({ key: record.key!.toString(), headers, data }, known)).toEqual([]);
      expect(record.key!.toString()).toBe(data.subjectPseudonym);
      expect(headers.ce_causationid).toBeUndefined();
      expect(data).toMatchObject({ deliveryAgent: 'ow:greater-sudbury', region: 'northern' });
    }
    const types = ministry.map((r) => (JSON.parse(r.value!.toString()) as { outcome: { type: string } }).outcome.type);
    expect(types.sort()).toEqual(
      outcomes
        .filter((o) => o.achieved)
        .map((o) => o.outcome_type)
        .sort(),
    );
    expect(types).toEqual(expect.arrayContaining(['ies-employed-3-months', 'ies-employed-12-months']));
    // One pseudonym for the client across all its reports.
    expect(new Set(ministry.map((r) => r.key!.toString())).size).toBe(1);

    // Timers fired once each, whatever was redelivered.
    const timers = await database.db.selectFrom('timer').selectAll().where('kind', '=', 'follow-up-due').execute();
    expect(timers).toHaveLength(4);
    expect(timers.every((t) => t.fired_at !== null)).toBe(true);
    const allDue = await readRecordsUntil(
      testKafka(),
      names.of('outcomes.v1'),
      (rs) => ofType('ca.on.passerelle.outcome.follow-up-due')(rs).length >= 4,
      10_000,
    );
    expect(ofType('ca.on.passerelle.outcome.follow-up-due')(allDue)).toHaveLength(4);
  }, 300_000);
});
