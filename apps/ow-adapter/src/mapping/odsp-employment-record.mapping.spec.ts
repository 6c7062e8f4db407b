import {
  schemaRegistry,
  type BenefitIssued,
  type Client,
  type Consent,
  type EmploymentSpell,
  type MappedEvent,
  type OdspEmploymentRecord,
  type OutcomeMilestone,
  type Referral,
  type ServiceEvent,
} from '@passerelle/contracts';
import fc from 'fast-check';
import {
  ODSP_EMPLOYMENT_RECORD_SCHEMA_ID,
  OW_EVENT_KINDS,
  canonicalConsentId,
  canonicalReferralId,
  mapOdspEmploymentRecord,
  stableEntityId,
} from './index';
import {
  baseContext,
  contextArb,
  contractProblems,
  eventsOf,
  odspEmploymentRecordArb,
  unmappedFixtures,
  validFixtures,
} from '../../../../test/support/source-mapping';

const fixtures = validFixtures('odsp-employment-record');
const fixture = (name: string): OdspEmploymentRecord => {
  const found = fixtures.find((f) => f.name === name);
  if (found === undefined) throw new Error(`no fixture ${name}`);
  return structuredClone(found.record);
};
const ceSourceOf = (r: OdspEmploymentRecord) => `/odsp/${r.office.code}`;
const map = (r: OdspEmploymentRecord, ctx = baseContext) => eventsOf(mapOdspEmploymentRecord(r, ctx));
const ofType = <T>(events: MappedEvent[], type: string): T[] =>
  events.filter((e) => e.event.type === type).map((e) => e.event.data as T);
const services = (events: MappedEvent[]) => ofType<ServiceEvent>(events, OW_EVENT_KINDS.serviceEventRecorded.type);

describe('mapOdspEmploymentRecord: golden fixtures', () => {
  it('has every fixture to test', () => expect(fixtures.length).toBeGreaterThanOrEqual(3 + 6));

  it.each(fixtures.map((f) => [f.name, f.record] as const))(
    '%s maps to events that keep the contract',
    (_name, record) => {
      expect(schemaRegistry().validate(ODSP_EMPLOYMENT_RECORD_SCHEMA_ID, record).ok).toBe(true);
      const events = map(record);
      expect(contractProblems(events, record, ceSourceOf(record))).toEqual([]);
      expect(events[0].event.type).toBe(
        record.recordVersion === 1 ? OW_EVENT_KINDS.clientLinked.type : OW_EVENT_KINDS.clientUpdated.type,
      );
      for (const { event } of events) expect((event.data as { program: string }).program).toBe('ODSP');
      expect(ofType(events, OW_EVENT_KINDS.outcomeRecorded.type)).toHaveLength(record.milestones?.length ?? 0);
      expect(ofType(events, OW_EVENT_KINDS.referralSubmitted.type)).toHaveLength(
        record.referralRequest === undefined ? 0 : 1,
      );
      expect(services(events).filter((s) => s.deferral !== undefined)).toEqual([]);
    },
  );

  it('maps placements milestones to the ODSP outcome types, with the job as one spell (Noah Tremblay)', () => {
    const events = map(fixture('noah-tremblay-placements'));
    const issuer = { system: 'odsp', orgCode: 'central' } as const;
    const outcomes = ofType<OutcomeMilestone>(events, OW_EVENT_KINDS.outcomeRecorded.type);
    expect(outcomes.map((o) => [o.outcomeType, o.observedOn, o.achieved, o.reportedBy])).toEqual([
      ['odsp-6-week-placement', '2025-06-16', true, 'odsp:central'],
      ['odsp-13-week-placement', '2025-08-04', true, 'odsp:central'],
      ['odsp-job-retention', '2025-09-30', true, 'odsp:central'],
    ]);
    const spellId = stableEntityId(issuer, 'employment', 'ES-JOB-1');
    expect(outcomes[0].employmentSpellId).toBe(spellId);
    expect(outcomes[2].monthlyEarnings).toBe('1789.76');
    const [started] = ofType<EmploymentSpell>(events, OW_EVENT_KINDS.employmentStarted.type);
    const [updated] = ofType<EmploymentSpell>(events, OW_EVENT_KINDS.employmentUpdated.type);
    expect(started.employment).toMatchObject({
      employerName: 'Georgian Print & Sign',
      subsidized: true,
      evidenceType: 'pay-stub',
      hourlyWage: '17.20',
    });
    expect(updated).toMatchObject({
      employmentSpellId: spellId,
      employment: { subsidized: false, evidenceType: 'employer-letter' },
    });
    expect(updated.source.entryId).toBe('MS-2');

    const [referral] = ofType<Referral>(events, OW_EVENT_KINDS.referralSubmitted.type);
    expect(referral).toMatchObject({
      referralId: canonicalReferralId(issuer, 'ODSP-REF-2025-8810'),
      referrer: 'odsp:central',
      program: 'ODSP',
      pathway: 'caseworker',
      serviceWanted: 'employment-services',
      consentId: canonicalConsentId(issuer, 'ES-CON-77'),
      status: 'requested',
      businessStatus: 'created',
    });
    expect(referral.personal!.links).toEqual([
      { system: 'odsp', sourceId: '207731455', linkedAt: '2025-10-20T13:15:00-04:00' },
    ]);
    expect(referral.personal!.contact).toEqual({
      phone: '+19055550177',
      email: 'noah.t@example.org',
      address: { line1: '45 Main St N', city: 'Newmarket', province: 'ON', postalCode: 'L3Y 3Z1' },
    });
    const plan = services(events)[0];
    expect(plan).toMatchObject({
      kind: 'plan-started',
      deliveredBy: 'odsp:central',
      plan: { planType: 'odsp-employment-plan', status: 'active' },
    });
    expect(services(events)[1].kind).toBe('plan-reviewed');
  });

  it('maps self-employment milestones, supports and exit, keeping French text (Chloé Gagné)', () => {
    const events = map(fixture('chloe-gagne-self-employment'));
    const [client] = ofType<Client>(events, OW_EVENT_KINDS.clientUpdated.type);
    expect(client.personal).toEqual({
      name: { givenName: 'Chloé', familyName: 'Gagné' },
      birthDate: '1979-03-09',
      preferredLanguage: 'fr',
      contact: { email: 'chloe.gagne@example.ca' },
      links: [{ system: 'odsp', sourceId: '88120394', linkedAt: '2025-07-08T08:00:00-04:00' }],
    });
    expect(events.every((e) => e.event.source === '/odsp/north-east')).toBe(true);
    const outcomes = ofType<OutcomeMilestone>(events, OW_EVENT_KINDS.outcomeRecorded.type);
    expect(outcomes.map((o) => o.outcomeType)).toEqual([
      'odsp-self-employment-business-plan',
      'odsp-self-employment-milestone',
      'odsp-self-employment-placement',
    ]);
    expect(outcomes[0]).not.toHaveProperty('employmentSpellId');
    expect(outcomes[0]).not.toHaveProperty('employment');
    const [started] = ofType<EmploymentSpell>(events, OW_EVENT_KINDS.employmentStarted.type);
    expect(started.employment).toEqual({
      employerName: 'Les Délices de Chloé',
      selfEmployed: true,
      startDate: '2025-01-15',
      hoursPerWeek: 30,
      subsidized: false,
      evidenceType: 'business-records',
    });
    expect(outcomes[2].employment).toMatchObject({
      selfEmployed: true,
      hoursPerWeek: 35,
      evidenceType: 'client-attestation',
    });
    expect(ofType<BenefitIssued>(events, OW_EVENT_KINDS.benefitIssued.type).map((b) => b.benefitType)).toEqual([
      'tools-equipment',
      'training-costs',
      'licences-certification',
    ]);
    expect(ofType<Consent>(events, OW_EVENT_KINDS.consentGranted.type).map((c) => [c.purpose, c.recipients])).toEqual([
      ['outcome-follow-up', ['odsp:north-east']],
      ['case-coordination', ['odsp:north-east', 'eo:provider-88']],
    ]);
    expect(ofType(events, OW_EVENT_KINDS.referralSubmitted.type)).toEqual([]);
    expect(services(events).map((s) => s.kind)).toEqual([
      'activity-started',
      'activity-started',
      'activity-ended',
      'exited',
    ]);
    expect(services(events)[3].exit).toEqual({ exitedOn: '2025-07-07', exitReason: 'self-employed' });
  });

  it('maps only the client for a minimal record (Zoé Lachance-Ouellet)', () => {
    const events = map(fixture('zoe-lachance-ouellet-minimal'));
    expect(events.map((e) => e.event.type)).toEqual([OW_EVENT_KINDS.clientLinked.type]);
    expect((events[0].event.data as Client).personal).toEqual({
      name: { givenName: 'Zoé', familyName: 'Lachance-Ouellet' },
      birthDate: '2001-10-05',
      links: [{ system: 'odsp', sourceId: '90044120', linkedAt: '2025-11-10T10:00:00Z' }],
    });
  });

  it('gives ODSP and OW entries with the same source id different canonical ids', () => {
    expect(canonicalReferralId({ system: 'odsp', orgCode: 'central' }, 'REF-1')).not.toBe(
      canonicalReferralId({ system: 'sams', orgCode: 'central' }, 'REF-1'),
    );
    expect(canonicalReferralId({ system: 'odsp', orgCode: 'central' }, 'REF-1')).not.toBe(
      canonicalReferralId({ system: 'odsp', orgCode: 'east' }, 'REF-1'),
    );
  });
});

describe('mapOdspEmploymentRecord: records it must refuse', () => {
  const unmapped = unmappedFixtures('sources/odsp-employment-record.json');

  it('has unmapped fixtures to test', () => expect(unmapped.length).toBeGreaterThanOrEqual(1));

  it.each(unmapped.map((f) => [f.file, f] as const))('%s -> ok: false, naming each field and code', (_file, f) => {
    expect(schemaRegistry().validate(ODSP_EMPLOYMENT_RECORD_SCHEMA_ID, f.record).ok).toBe(true);
    const result = mapOdspEmploymentRecord(f.record as OdspEmploymentRecord, baseContext);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reasons).toHaveLength(f.expect.length);
    for (const [i, { pointer, code }] of f.expect.entries()) {
      expect(result.reasons[i].startsWith(`${pointer}: `)).toBe(true);
      expect(result.reasons[i]).toContain(`"${code}"`);
    }
  });

  it('refuses a SAMS code in an ODSP record', () => {
    const record = fixture('noah-tremblay-placements');
    record.activities![0].activityCode = 'JSS';
    expect(mapOdspEmploymentRecord(record, baseContext)).toEqual({
      ok: false,
      reasons: ['/activities/0/activityCode: odsp code "JSS" has no mapping in code table activities'],
    });
  });
});

describe('mapOdspEmploymentRecord: properties', () => {
  it('generated records are valid ODSP employment records (the generator keeps the source schema)', () => {
    fc.assert(
      fc.property(odspEmploymentRecordArb, (record) => {
        const result = schemaRegistry().validate(ODSP_EMPLOYMENT_RECORD_SCHEMA_ID, record);
        if (!result.ok) throw new Error(JSON.stringify(result.errors));
      }),
      { numRuns: 200 },
    );
  });

  it('every valid record maps to events that keep the contract and validate against their schemas', () => {
    fc.assert(
      fc.property(odspEmploymentRecordArb, contextArb, (record, ctx) => {
        expect(contractProblems(map(record, ctx), record, ceSourceOf(record), ctx)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('mapping the same record twice gives deep-equal events and the same ce_ids; another version gives other ce_ids', () => {
    fc.assert(
      fc.property(odspEmploymentRecordArb, contextArb, fc.integer({ min: 1, max: 1000 }), (record, ctx, step) => {
        const first = map(record, ctx);
        expect(map(structuredClone(record), { ...ctx })).toEqual(first);
        const ids = new Set(first.map((e) => e.event.id));
        const next = map({ ...record, recordVersion: record.recordVersion + step }, ctx);
        expect(next.filter((e) => ids.has(e.event.id))).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });
});
