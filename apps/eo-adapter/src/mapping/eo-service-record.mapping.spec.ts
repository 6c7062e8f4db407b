import { codeTable, type CodeTableName } from '@passerelle/codes';
import {
  loadAsyncApiDocument,
  schemaRegistry,
  type Client,
  type EmploymentSpell,
  type EoServiceRecord,
  type MappedEvent,
  type MappingContext,
  type OutcomeMilestone,
  type ServiceEvent,
} from '@passerelle/contracts';
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EO_EVENT_KINDS, EO_SERVICE_RECORD_SCHEMA_ID, mapEoServiceRecord } from './index';

const FIXTURES = join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'sources');
const SOURCE_SCHEMA = EO_SERVICE_RECORD_SCHEMA_ID;

const context: MappingContext = {
  clientId: '8a4f2c1e-3b5d-4e6f-9a7b-1c2d3e4f5a6b',
  sourceEventId: 'f1e2d3c4-b5a6-4978-8a9b-0c1d2e3f4a5b',
};

const readJson = (file: string): unknown => JSON.parse(readFileSync(file, 'utf8'));

/** Every valid EO record: the golden files and each line of the delivery-partner export. */
const validFixtures: Array<{ name: string; record: EoServiceRecord }> = [
  ...readdirSync(join(FIXTURES, 'eo-service-record'))
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ name: f, record: readJson(join(FIXTURES, 'eo-service-record', f)) as EoServiceRecord })),
  ...readFileSync(join(FIXTURES, 'eo-service-record.ndjson'), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, i) => ({ name: `eo-service-record.ndjson:${i + 1}`, record: JSON.parse(line) as EoServiceRecord })),
];
const fixture = (name: string): EoServiceRecord => {
  const found = validFixtures.find((f) => f.name === `${name}.json`);
  if (found === undefined) throw new Error(`no fixture ${name}`);
  return structuredClone(found.record);
};

/** `ce_type` -> topic address and pinned `ce_dataschema`, read from asyncapi.yaml. */
function asyncApiTypes(): Map<string, { topic: string; dataschema: string }> {
  const doc = loadAsyncApiDocument() as unknown as {
    channels: Record<string, { address: string; messages?: Record<string, { $ref: string }> }>;
    components: {
      messages: Record<
        string,
        { headers?: { allOf?: Array<{ properties?: Record<string, { const?: string } | undefined> }> } } | undefined
      >;
    };
  };
  const out = new Map<string, { topic: string; dataschema: string }>();
  for (const channel of Object.values(doc.channels)) {
    for (const ref of Object.values(channel.messages ?? {})) {
      const message = doc.components.messages[ref.$ref.replace('#/components/messages/', '')];
      const pinned = message?.headers?.allOf?.find((part) => part.properties?.ce_type !== undefined)?.properties;
      const type = pinned?.ce_type?.const;
      const dataschema = pinned?.ce_dataschema?.const;
      if (type !== undefined && dataschema !== undefined) out.set(type, { topic: channel.address, dataschema });
    }
  }
  return out;
}
const ASYNCAPI = asyncApiTypes();

function mapOk(record: EoServiceRecord, ctx: MappingContext = context): MappedEvent[] {
  const result = mapEoServiceRecord(record, ctx);
  if (!result.ok) throw new Error(`mapping failed: ${result.reasons.join('; ')}`);
  return result.events;
}

/** Every contract rule an event of this mapping must keep; returns the problems found. */
function problemsOf(events: MappedEvent[], record: EoServiceRecord, ctx: MappingContext = context): string[] {
  const problems: string[] = [];
  const ids = new Set<string>();
  for (const { topic, event } of events) {
    const where = `${event.type} ${event.id}`;
    const contract = ASYNCAPI.get(event.type);
    if (contract === undefined) problems.push(`${where}: type not in asyncapi.yaml`);
    else {
      if (contract.topic !== topic) problems.push(`${where}: topic ${topic}, asyncapi says ${contract.topic}`);
      if (contract.dataschema !== event.dataschema)
        problems.push(`${where}: dataschema ${event.dataschema}, asyncapi pins ${contract.dataschema}`);
    }
    const validation = schemaRegistry().validate(event.dataschema ?? '', event.data);
    if (!validation.ok) problems.push(...validation.errors.map((e) => `${where} ${e.pointer}: ${e.message}`));
    if (ids.has(event.id)) problems.push(`${where}: duplicate ce_id`);
    ids.add(event.id);
    // Read as plain strings: the types promise these values, the check is that the built event keeps them.
    const envelope: { specversion: string; datacontenttype: string } = event;
    if (envelope.specversion !== '1.0' || envelope.datacontenttype !== 'application/json')
      problems.push(`${where}: specversion/content type`);
    if (event.source !== `/eo/cams/${record.provider.providerId}`) problems.push(`${where}: source ${event.source}`);
    if (event.time !== record.recordedAt) problems.push(`${where}: time ${event.time}`);
    if (event.partitionkey !== ctx.clientId) problems.push(`${where}: partitionkey`);
    if (event.causationid !== ctx.sourceEventId) problems.push(`${where}: causationid`);
    if (event.correlationid !== (ctx.correlationId ?? ctx.sourceEventId)) problems.push(`${where}: correlationid`);
    const data = event.data as Record<string, unknown>;
    if (data.clientId !== ctx.clientId) problems.push(`${where}: data.clientId`);
    const entityId =
      event.type === EO_EVENT_KINDS.referralResponseRecorded.type
        ? data.referralId
        : (data.serviceEventId ?? data.benefitId ?? data.outcomeId ?? data.employmentSpellId ?? data.clientId);
    if (event.subject !== entityId)
      problems.push(`${where}: subject ${event.subject} is not the entity id ${String(entityId)}`);
  }
  return problems;
}

const ofType = <T>(events: MappedEvent[], type: string): T[] =>
  events.filter((e) => e.event.type === type).map((e) => e.event.data as T);
const kinds = (events: MappedEvent[]) =>
  ofType<ServiceEvent>(events, EO_EVENT_KINDS.serviceEventRecorded.type).map((d) => d.kind);

describe('mapEoServiceRecord: golden fixtures', () => {
  it('has fixtures to test, and every kind of event it declares is a message of asyncapi.yaml', () => {
    expect(validFixtures.length).toBeGreaterThanOrEqual(4);
    for (const kind of Object.values(EO_EVENT_KINDS))
      expect(ASYNCAPI.get(kind.type)).toEqual({ topic: kind.topic, dataschema: kind.dataschema });
  });

  it.each(validFixtures.map((f) => [f.name, f.record] as const))(
    '%s maps to events that keep the contract',
    (_name, record) => {
      expect(schemaRegistry().validate(SOURCE_SCHEMA, record).ok).toBe(true);
      const events = mapOk(record);
      expect(events.length).toBeGreaterThanOrEqual(1);
      expect(problemsOf(events, record)).toEqual([]);
      // Exactly one client event, first.
      expect(events[0].event.type).toBe(
        record.recordVersion === 1 ? EO_EVENT_KINDS.clientLinked.type : EO_EVENT_KINDS.clientUpdated.type,
      );
      expect(events.filter((e) => e.topic === 'clients.v1')).toHaveLength(1);
    },
  );

  it('keeps French names and text as written, and normalizes contact (Éloïse Côté-Tremblay)', () => {
    const events = mapOk(fixture('eloise-cote-tremblay-accepted'));
    const [client] = ofType<Client>(events, EO_EVENT_KINDS.clientUpdated.type);
    expect(client.personal.name).toEqual({ givenName: 'Éloïse', familyName: 'Côté-Tremblay' });
    expect(client.personal.preferredLanguage).toBe('fr');
    expect(client.personal.contact).toEqual({
      phone: '+17055550199',
      address: {
        line1: '12, rue Sainte-Anne',
        line2: 'app. 3',
        city: 'Sudbury',
        province: 'ON',
        postalCode: 'P3C 1A1',
      },
    });
    expect(client.personal.links.map((l) => `${l.system}:${l.sourceId}`)).toEqual(['cams:300123456', 'sams:104558231']);
    expect(client.program).toBe('OW');
    const plan = ofType<ServiceEvent>(events, EO_EVENT_KINDS.serviceEventRecorded.type).find(
      (d) => d.kind === 'plan-started',
    );
    expect(plan?.plan?.goal).toBe('Préposée aux services de soutien à la personne');
  });

  it('maps assessment, plan, plan items, attendance (no-show = event-unattended) and supports of an accepted referral', () => {
    const record = fixture('eloise-cote-tremblay-accepted');
    const events = mapOk(record);
    expect(kinds(events)).toEqual([
      'assessment-completed',
      'plan-started',
      'activity-started',
      'activity-ended', // PI-1 ended
      'activity-started', // PI-2
      'activity-started', // PI-3 (planned end only)
      'activity-started', // PI-4
      'event-attended',
      'event-unattended',
      'event-cancelled',
      'event-scheduled',
    ]);
    const services = ofType<ServiceEvent>(events, EO_EVENT_KINDS.serviceEventRecorded.type);
    expect(services[0].assessment).toEqual({ assessmentId: 'CA-2025-55102', stream: 'C', educationLevel: 'grade-12' });
    const noShow = services.find((s) => s.kind === 'event-unattended');
    expect(noShow).toMatchObject({
      occurredOn: '2025-10-01',
      scheduledEvent: { eventId: 'EV-102', attendance: 'no-show', activity: 'career-counselling' },
    });
    // Correlated to the referral the provider accepted.
    for (const { event } of events.slice(1))
      expect((event.data as { referralId?: string }).referralId).toBe(record.referralResponse?.referralId);
    const benefits = ofType<{ benefitType: string; amount: string; periodEnd?: string }>(
      events,
      EO_EVENT_KINDS.benefitIssued.type,
    );
    expect(benefits).toEqual([
      expect.objectContaining({ benefitType: 'transportation', amount: '156.00', periodEnd: '2025-10-31' }),
      expect.objectContaining({ benefitType: 'work-clothing', amount: '95.00' }),
    ]);
    expect(benefits[1]).not.toHaveProperty('periodEnd');
    expect(events.filter((e) => e.topic === 'outcomes.v1')).toEqual([]);
  });

  it('maps follow-ups to IES milestones with achieved from the employment details (Amira Haddad)', () => {
    const events = mapOk(fixture('amira-haddad-follow-ups'));
    const outcomes = ofType<OutcomeMilestone>(events, EO_EVENT_KINDS.outcomeRecorded.type);
    expect(outcomes.map((o) => [o.outcomeType, o.achieved, o.clientSituation])).toEqual([
      ['ies-employed-1-month', false, 'employed-full-time'], // still subsidized
      ['ies-employed-3-months', true, 'employed-full-time'],
      ['ies-employed-6-months', true, 'employed-and-in-education'], // 28 h at 22.10
      ['ies-employed-12-months', true, 'employed-part-time'], // 24 h at 22.75
    ]);
    const started = ofType<EmploymentSpell>(events, EO_EVENT_KINDS.employmentStarted.type);
    const updated = ofType<EmploymentSpell>(events, EO_EVENT_KINDS.employmentUpdated.type);
    expect(started).toHaveLength(1);
    expect(started[0].employment).toEqual({
      employerName: 'Mountain Family Health Team',
      jobTitle: 'Medical office administrator',
      selfEmployed: false,
      startDate: '2024-11-04',
      hoursPerWeek: 35,
      hourlyWage: '21.50',
      subsidized: true,
    });
    expect(updated.map((u) => u.employment.evidenceType)).toEqual([
      'employer-verbal-confirmation',
      'pay-stub',
      'employer-letter',
      'employment-contract',
    ]);
    // One job, one spell: every report and every outcome point at it.
    const spellIds = new Set([...started, ...updated].map((s) => s.employmentSpellId));
    expect(spellIds.size).toBe(1);
    for (const o of outcomes) expect(o.employmentSpellId).toBe(started[0].employmentSpellId);
    // Closed plan with an exit.
    expect(kinds(events)).toEqual(expect.arrayContaining(['plan-started', 'plan-ended', 'exited']));
    const exited = ofType<ServiceEvent>(events, EO_EVENT_KINDS.serviceEventRecorded.type).find(
      (s) => s.kind === 'exited',
    );
    expect(exited?.exit).toEqual({ exitedOn: '2025-01-31', exitReason: 'employed-full-time' });
    // ODSP client without a referral response: no referral correlation.
    for (const { event } of events) expect(event.data).not.toHaveProperty('referralId');
    expect(ofType<{ benefitType: string }>(events, EO_EVENT_KINDS.benefitIssued.type)).toEqual([
      expect.objectContaining({ benefitType: 'employer-incentive' }),
    ]);
  });

  it('maps a minimal record (only required fields) to one client.linked event', () => {
    const events = mapOk(fixture('francoise-levesque-minimal'));
    expect(events.map((e) => [e.event.type, e.topic])).toEqual([[EO_EVENT_KINDS.clientLinked.type, 'clients.v1']]);
    const client = events[0].event.data as Client;
    expect(client).toEqual({
      clientId: context.clientId,
      program: 'EO',
      source: { system: 'cams', recordId: 'P301-SR-2025-00019', recordVersion: 1 },
      personal: {
        name: { givenName: 'Françoise', familyName: 'Lévesque' },
        birthDate: '1967-08-14',
        links: [{ system: 'cams', sourceId: '302000118', linkedAt: '2025-01-06T09:00:00-05:00' }],
      },
      updatedAt: '2025-01-06T09:00:00-05:00',
    });
  });

  it('does not correlate the events of a declined referral to it (Marcus Okafor)', () => {
    const events = mapOk(fixture('marcus-okafor-declined'));
    expect(events.map((e) => e.event.type)).toEqual([
      EO_EVENT_KINDS.clientLinked.type,
      EO_EVENT_KINDS.referralResponseRecorded.type,
    ]);
    expect(events[0].event.subject).toBe(context.clientId);
    expect(
      events
        .filter((e) => e.event.type !== EO_EVENT_KINDS.referralResponseRecorded.type)
        .every((e) => !('referralId' in (e.event.data as object))),
    ).toBe(true);
  });

  it('uses the correlation id of the raw record when it has one', () => {
    const ctx = { ...context, correlationId: 'corr-123' };
    const events = mapOk(fixture('eloise-cote-tremblay-accepted'), ctx);
    expect(problemsOf(events, fixture('eloise-cote-tremblay-accepted'), ctx)).toEqual([]);
    expect(new Set(events.map((e) => e.event.correlationid))).toEqual(new Set(['corr-123']));
  });

  it("turns the provider's answer into referral.response-recorded for the tracker, decline reason mapped", () => {
    const declined = fixture('marcus-okafor-declined');
    const [response] = mapOk(declined).filter((e) => e.event.type === EO_EVENT_KINDS.referralResponseRecorded.type);
    expect(response.topic).toBe('referrals.v1');
    expect(response.event.subject).toBe(declined.referralResponse!.referralId);
    expect(response.event.data).toMatchObject({
      referralId: declined.referralResponse!.referralId,
      clientId: context.clientId,
      provider: `eo:${declined.provider.providerId}`,
      decision: 'decline',
      decidedAt: declined.referralResponse!.decidedAt,
    });
    expect(typeof (response.event.data as { declineReason?: string }).declineReason).toBe('string');
    const accepted = fixture('eloise-cote-tremblay-accepted');
    const [yes] = mapOk(accepted).filter((e) => e.event.type === EO_EVENT_KINDS.referralResponseRecorded.type);
    expect(yes.event.data).toMatchObject({ decision: 'accept', referralId: accepted.referralResponse!.referralId });
    expect((yes.event.data as { declineReason?: string }).declineReason).toBeUndefined();
    for (const f of validFixtures) {
      const onReferrals = mapOk(f.record).filter((e) => e.topic === 'referrals.v1');
      expect(onReferrals).toHaveLength(f.record.referralResponse === undefined ? 0 : 1);
    }
  });
});

describe('mapEoServiceRecord: unmapped source codes', () => {
  const dir = join(FIXTURES, 'unmapped');
  const files = readdirSync(dir).filter((f) => f.startsWith('eo-') && f.endsWith('.json'));

  it('has unmapped EO fixtures', () => expect(files.length).toBeGreaterThanOrEqual(1));

  it.each(files)('%s goes to the DLQ with a reason naming each field and code', (file) => {
    const { record, expect: expected } = readJson(join(dir, file)) as {
      record: EoServiceRecord;
      expect: Array<{ pointer: string; code: string }>;
    };
    expect(schemaRegistry().validate(SOURCE_SCHEMA, record).ok).toBe(true);
    const result = mapEoServiceRecord(record, context);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reasons).toHaveLength(expected.length);
    for (const { pointer, code } of expected) {
      expect(result.reasons).toContainEqual(
        expect.stringMatching(new RegExp(`^${pointer.replace(/\//g, '\\/')}: .*"${code}"`)),
      );
    }
    expect(result.reasons.join(' ')).not.toMatch(/unknown/i);
  });

  it('names a CaMS code of another table as unmapped too (JS01 as a stream)', () => {
    const record = fixture('amira-haddad-follow-ups');
    record.commonAssessment!.streamCode = 'JS01';
    expect(mapEoServiceRecord(record, context)).toEqual({
      ok: false,
      reasons: ['/commonAssessment/streamCode: cams code "JS01" has no mapping in code table streams'],
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Property tests: valid records generated from the fixtures by varying fields within the schema.

const camsCodes = (table: CodeTableName): string[] => Object.keys(codeTable(table).sourceMaps.cams ?? {});
const code = (table: CodeTableName) => fc.constantFrom(...camsCodes(table));
const isoDate = fc
  .date({ min: new Date('2018-01-01T00:00:00Z'), max: new Date('2030-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));
const money = fc
  .integer({ min: 0, max: 999_999_999 })
  .map((c) => `${Math.floor(c / 100)}.${String(c % 100).padStart(2, '0')}`);
const hours = fc.oneof(fc.double({ min: 0, max: 168, noNaN: true }), fc.constantFrom(0, 19.5, 20, 20.01, 40, 168));

type SourceEmployment = NonNullable<EoServiceRecord['employments']>[number];
type SourceFollowUp = NonNullable<EoServiceRecord['followUps']>[number];

// `selfEmployed` is optional in the schema (default false) but required in the generated type:
// the generator leaves it out sometimes, as providers do.
const employmentArb: fc.Arbitrary<SourceEmployment> = fc
  .record(
    {
      employmentId: fc.constantFrom('EMP-1', 'EMP-2', 'JOB/3'),
      employerName: fc.constantFrom('Boulangerie Saint-Honoré', 'Mountain Family Health Team', 'Épicerie Côté & fils'),
      jobTitle: fc.constantFrom('Préposée', 'Cook'),
      selfEmployed: fc.boolean(),
      jobStartDate: isoDate,
      jobEndDate: isoDate,
      hoursPerWeek: hours,
      hourlyWage: money,
      subsidized: fc.boolean(),
      evidenceTypeCode: code('evidence-types'),
      evidenceReceivedOn: isoDate,
    },
    { requiredKeys: ['employmentId', 'employerName', 'jobStartDate', 'hoursPerWeek', 'subsidized'] },
  )
  .map((e) => e as SourceEmployment);

const followUpArb: fc.Arbitrary<SourceFollowUp> = fc.record(
  {
    followUpId: fc.constantFrom('FU-A', 'FU-B', 'FU-C'),
    followUpCode: code('outcome-types'),
    completedOn: isoDate,
    situationCode: code('exit-reasons'),
    employment: employmentArb,
  },
  { requiredKeys: ['followUpId', 'followUpCode', 'completedOn', 'situationCode'] },
);

const OPTIONAL_SECTIONS = [
  'referralResponse',
  'commonAssessment',
  'servicePlan',
  'scheduledEvents',
  'benefitsIssued',
  'employments',
  'exit',
  'followUps',
] as const;

/** A valid EO record: a fixture with its codes, hours, wages and dates varied within the schema. */
const recordArb: fc.Arbitrary<EoServiceRecord> = fc
  .record({
    base: fc.constantFrom(...validFixtures.map((f) => f.record)),
    version: fc.integer({ min: 1, max: 1_000_000 }),
    program: code('programs'),
    stream: code('streams'),
    education: code('education-levels'),
    planType: code('plan-types'),
    activities: fc.array(code('activities'), { minLength: 8, maxLength: 8 }),
    attendance: fc.array(code('attendance-statuses'), { minLength: 8, maxLength: 8 }),
    benefitTypes: fc.array(code('benefit-types'), { minLength: 8, maxLength: 8 }),
    amounts: fc.array(money, { minLength: 8, maxLength: 8 }),
    decline: code('decline-reasons'),
    exitReason: code('exit-reasons'),
    dates: fc.array(isoDate, { minLength: 8, maxLength: 8 }),
    extraFollowUps: fc.uniqueArray(followUpArb, { maxLength: 3, selector: (f) => f.followUpId }),
    extraJobs: fc.uniqueArray(employmentArb, { maxLength: 2, selector: (e) => e.employmentId }),
    drop: fc.subarray([...OPTIONAL_SECTIONS]),
    dropContact: fc.boolean(),
  })
  .map((v) => {
    const r = structuredClone(v.base);
    r.recordVersion = v.version;
    r.programCode = v.program;
    if (r.referralResponse?.declineReasonCode !== undefined) r.referralResponse.declineReasonCode = v.decline;
    if (r.commonAssessment) {
      r.commonAssessment.streamCode = v.stream;
      r.commonAssessment.educationLevelCode = v.education;
      r.commonAssessment.completedOn = v.dates[0];
    }
    if (r.servicePlan) {
      r.servicePlan.planTypeCode = v.planType;
      r.servicePlan.openedOn = v.dates[1];
      r.servicePlan.planItems.forEach((item, i) => {
        item.activityCode = v.activities[i % 8];
        item.startDate = v.dates[(i + 2) % 8];
      });
    }
    (r.scheduledEvents ?? []).forEach((ev, i) => {
      ev.attendanceCode = v.attendance[i % 8];
      if (ev.activityCode !== undefined) ev.activityCode = v.activities[(i + 3) % 8];
    });
    (r.benefitsIssued ?? []).forEach((b, i) => {
      b.benefitTypeCode = v.benefitTypes[i % 8];
      b.amount = v.amounts[i % 8];
      b.issuedOn = v.dates[(i + 4) % 8];
    });
    if (r.exit) r.exit.exitReasonCode = v.exitReason;
    // Follow-ups and jobs: replace ids that collide with the generated ones.
    r.followUps = [
      ...(r.followUps ?? []).filter((f) => !v.extraFollowUps.some((x) => x.followUpId === f.followUpId)),
      ...v.extraFollowUps,
    ];
    r.employments = [
      ...(r.employments ?? []).filter((e) => !v.extraJobs.some((x) => x.employmentId === e.employmentId)),
      ...v.extraJobs,
    ];
    for (const section of v.drop) Reflect.deleteProperty(r, section);
    if (v.dropContact) delete r.personal.contact;
    return r;
  });

describe('mapEoServiceRecord: properties', () => {
  it('every generated record is valid, maps, and every event keeps the contract', () => {
    fc.assert(
      fc.property(recordArb, (record) => {
        const source = schemaRegistry().validate(SOURCE_SCHEMA, record);
        if (!source.ok) throw new Error(`generator made an invalid record: ${JSON.stringify(source.errors)}`);
        expect(problemsOf(mapOk(record), record)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('mapping twice gives the same events and ids; another version gives other event ids', () => {
    fc.assert(
      fc.property(recordArb, fc.integer({ min: 1, max: 1000 }), (record, bump) => {
        const first = mapOk(record);
        expect(mapOk(structuredClone(record))).toEqual(first);
        const next = mapOk({ ...structuredClone(record), recordVersion: record.recordVersion + bump });
        expect(next.map((e) => e.event.type)).toEqual(
          first
            .map((e) => e.event.type)
            .map((t) => (t === EO_EVENT_KINDS.clientLinked.type ? EO_EVENT_KINDS.clientUpdated.type : t)),
        );
        const before = new Set(first.map((e) => e.event.id));
        for (const { event } of next) expect(before.has(event.id)).toBe(false);
        // A job and a benefit keep their canonical id across versions.
        const stable = (events: MappedEvent[]) =>
          events.flatMap(({ event }) => {
            const d = event.data as { employmentSpellId?: string; benefitId?: string };
            return [d.employmentSpellId, d.benefitId].filter((x): x is string => x !== undefined);
          });
        expect(stable(next)).toEqual(stable(first));
      }),
      { numRuns: 150 },
    );
  });

  it('a follow-up job at 19.5 h/week is not achieved; at 20 h and the minimum wage it is', () => {
    const base = fixture('amira-haddad-follow-ups');
    const at = (hoursPerWeek: number, hourlyWage: string) => {
      const record = structuredClone(base);
      const followUp = record.followUps![3]; // FU12 done 2025-11-06: minimum wage 17.60
      followUp.employment = { ...followUp.employment!, hoursPerWeek, hourlyWage, subsidized: false };
      const outcomes = ofType<OutcomeMilestone>(mapOk(record), EO_EVENT_KINDS.outcomeRecorded.type);
      return outcomes[3].achieved;
    };
    expect(at(19.5, '30.00')).toBe(false);
    expect(at(20, '17.60')).toBe(true);
    expect(at(20, '17.59')).toBe(false);
  });
});

describe('mapping sources are deterministic', () => {
  it('use no clock and no randomness', () => {
    const sources = readdirSync(__dirname).filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'));
    expect(sources.length).toBeGreaterThanOrEqual(3);
    for (const file of sources) {
      const text = readFileSync(join(__dirname, file), 'utf8');
      expect({
        file,
        hits: text.match(
          /Date\.now\s*\(|new Date\s*\(\s*\)|Math\.random\s*\(|performance\.now\s*\(|randomUUID|randomBytes/g,
        ),
      }).toEqual({ file, hits: null });
    }
  });
});
