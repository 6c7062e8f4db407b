import {
  schemaRegistry,
  type BenefitIssued,
  type Client,
  type Consent,
  type EmploymentSpell,
  type MappedEvent,
  type OutcomeMilestone,
  type OwCaseRecord,
  type Referral,
  type ServiceEvent,
} from '@passerelle/contracts';
import fc from 'fast-check';
import {
  OW_CASE_RECORD_SCHEMA_ID,
  OW_EVENT_KINDS,
  canonicalConsentId,
  canonicalReferralId,
  mapOwCaseRecord,
} from './index';
import {
  asyncApiTypes,
  baseContext,
  contextArb,
  contractProblems,
  eventsOf,
  owCaseRecordArb,
  unmappedFixtures,
  validFixtures,
} from '../../../../test/support/source-mapping';

const fixtures = validFixtures('ow-case-record');
const fixture = (name: string): OwCaseRecord => {
  const found = fixtures.find((f) => f.name === name);
  if (found === undefined) throw new Error(`no fixture ${name}`);
  return structuredClone(found.record);
};
const ceSourceOf = (r: OwCaseRecord) => `/ow/sams/${r.deliveryAgent.code}`;
const map = (r: OwCaseRecord, ctx = baseContext) => eventsOf(mapOwCaseRecord(r, ctx));
const ofType = <T>(events: MappedEvent[], type: string): T[] =>
  events.filter((e) => e.event.type === type).map((e) => e.event.data as T);
const services = (events: MappedEvent[]) => ofType<ServiceEvent>(events, OW_EVENT_KINDS.serviceEventRecorded.type);
const short = (events: MappedEvent[]) =>
  events.map(({ event }) => {
    const kind = (event.data as { kind?: string }).kind;
    return event.type.replace('ca.on.passerelle.', '') + (kind === undefined ? '' : ` ${kind}`);
  });

describe('OW_EVENT_KINDS', () => {
  it('are messages of asyncapi.yaml, on the topic and with the data schema it pins', () => {
    const asyncapi = asyncApiTypes();
    for (const kind of Object.values(OW_EVENT_KINDS))
      expect(asyncapi.get(kind.type)).toEqual({ topic: kind.topic, dataschema: kind.dataschema });
  });
});

describe('mapOwCaseRecord: golden fixtures', () => {
  it('has every fixture to test', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(5 + 11);
  });

  it.each(fixtures.map((f) => [f.name, f.record] as const))(
    '%s maps to events that keep the contract',
    (_name, record) => {
      expect(schemaRegistry().validate(OW_CASE_RECORD_SCHEMA_ID, record).ok).toBe(true);
      const events = map(record);
      expect(contractProblems(events, record, ceSourceOf(record))).toEqual([]);
      expect(events[0].event.type).toBe(
        record.recordVersion === 1 ? OW_EVENT_KINDS.clientLinked.type : OW_EVENT_KINDS.clientUpdated.type,
      );
      expect(events.filter((e) => e.topic === 'clients.v1')).toHaveLength(1);
      // Exactly the entries the record holds, no more, no less.
      expect(ofType(events, OW_EVENT_KINDS.benefitIssued.type)).toHaveLength(record.benefitsIssued?.length ?? 0);
      expect(ofType(events, OW_EVENT_KINDS.consentGranted.type)).toHaveLength(record.consents?.length ?? 0);
      expect(ofType(events, OW_EVENT_KINDS.referralSubmitted.type)).toHaveLength(
        record.referralRequest === undefined ? 0 : 1,
      );
      expect(ofType(events, OW_EVENT_KINDS.outcomeRecorded.type)).toHaveLength(record.outcomes?.length ?? 0);
    },
  );

  it('keeps French names and notes as written, normalizes contact (Éloïse Côté-Tremblay, referral)', () => {
    const record = fixture('eloise-cote-tremblay-referral');
    const events = map(record);
    expect(short(events)).toEqual([
      'client.updated',
      'consent.granted',
      'referral.submitted',
      'service-event.recorded plan-started',
      'service-event.recorded plan-reviewed',
      'service-event.recorded activity-started',
      'service-event.recorded activity-started',
      'service-event.recorded activity-ended',
      'service-event.recorded activity-started',
      'service-event.recorded activity-ended',
      'benefit.issued',
      'benefit.issued',
    ]);
    const [client] = ofType<Client>(events, OW_EVENT_KINDS.clientUpdated.type);
    expect(client.program).toBe('OW');
    expect(client.updatedAt).toBe('2025-09-15T14:22:05-04:00');
    expect(client.source).toEqual({ system: 'sams', recordId: 'SUD-CR-2025-004417', recordVersion: 3 });
    expect(client.personal).toEqual({
      name: { givenName: 'Éloïse', familyName: 'Côté-Tremblay' },
      birthDate: '1991-04-27',
      preferredLanguage: 'fr',
      contact: {
        phone: '+17055550199',
        email: 'eloise.cote-tremblay@example.ca',
        address: {
          line1: '12, rue Sainte-Anne',
          line2: 'app. 3',
          city: 'Sudbury',
          province: 'ON',
          postalCode: 'P3C 1A1',
        },
      },
      links: [{ system: 'sams', sourceId: '104558231', linkedAt: '2025-09-15T14:22:05-04:00' }],
    });

    const [consent] = ofType<Consent>(events, OW_EVENT_KINDS.consentGranted.type);
    const issuer = { system: 'sams', orgCode: 'greater-sudbury' } as const;
    expect(consent).toMatchObject({
      consentId: canonicalConsentId(issuer, 'CON-5521'),
      grantedBy: 'ow:greater-sudbury',
      purpose: 'referral-to-employment-services',
      recipients: ['ow:greater-sudbury', 'eo:any'],
      grantedAt: '2025-09-15T13:55:00-04:00',
      expiresOn: '2026-09-14',
    });
    expect(consent).not.toHaveProperty('withdrawnAt');

    const [referral] = ofType<Referral>(events, OW_EVENT_KINDS.referralSubmitted.type);
    expect(referral).toMatchObject({
      referralId: canonicalReferralId(issuer, 'SUD-REF-2025-0917'),
      referrer: 'ow:greater-sudbury',
      sourceReferralId: 'SUD-REF-2025-0917',
      pathway: 'caseworker',
      serviceWanted: 'employment-services',
      consentId: consent.consentId,
      status: 'requested',
      businessStatus: 'created',
      requestedAt: '2025-09-15T14:20:00-04:00',
      updatedAt: '2025-09-15T14:20:00-04:00',
      source: { system: 'sams', recordId: 'SUD-CR-2025-004417', recordVersion: 3, entryId: 'SUD-REF-2025-0917' },
    });
    expect(referral).not.toHaveProperty('preferredProvider');
    expect(referral).not.toHaveProperty('provider');
    expect(referral.personal!.notes).toBe(
      'Préfère des rendez-vous en français, le matin. Disponible à partir du 22 septembre.',
    );
    expect(referral.personal!.name).toEqual(client.personal.name);
    // Free text never outside `personal`.
    expect(Object.keys(referral)).not.toContain('notes');

    const plan = services(events)[0];
    expect(plan.plan).toEqual({
      planId: 'PA-44172',
      planType: 'participation-agreement',
      status: 'active',
      startDate: '2025-06-02',
      lastReviewedOn: '2025-07-02',
      reviewDueOn: '2025-10-02',
    });
    expect(plan.deliveredBy).toBe('ow:greater-sudbury');
    const tendered = services(events).find((s) => s.activity?.activityId === 'ACT-78020');
    expect(tendered?.activity).toEqual({
      activityId: 'ACT-78020',
      activity: 'job-specific-skills-training',
      startDate: '2025-07-07',
      endDate: '2025-08-29',
      thirdPartyProvider: 'Collège Boréal',
    });

    const benefits = ofType<BenefitIssued>(events, OW_EVENT_KINDS.benefitIssued.type);
    expect(benefits.map((b) => [b.benefitType, b.amount, b.periodEnd])).toEqual([
      ['transportation', '156.00', '2025-07-31'],
      ['work-clothing', '120.50', undefined],
    ]);
    expect(benefits[1]).not.toHaveProperty('periodEnd');
  });

  it('maps only the client for a minimal record (Françoise Lévesque): optional parts absent stay absent', () => {
    const events = map(fixture('francoise-levesque-minimal'));
    expect(short(events)).toEqual(['client.linked']);
    const client = events[0].event.data as Client;
    expect(client.personal).toEqual({
      name: { givenName: 'Françoise', familyName: 'Lévesque' },
      birthDate: '1967-08-14',
      links: [{ system: 'sams', sourceId: '98812044', linkedAt: '2024-02-19T16:40:00-05:00' }],
    });
    expect(events[0].event.source).toBe('/ow/sams/ottawa');
  });

  it("orders a withdrawn consent after the referral it covers, and maps deferrals (Jean-François Bélanger-O'Neil)", () => {
    const events = map(fixture('jean-francois-belanger-deferrals'));
    const referrals = events
      .filter((e) => e.topic === 'referrals.v1')
      .map((e) => `${e.event.type.replace('ca.on.passerelle.', '')} ${e.event.subject}`);
    const issuer = { system: 'sams', orgCode: 'kenora-rainy-river-dssab' } as const;
    const con1201 = canonicalConsentId(issuer, 'CON-1201');
    expect(referrals).toEqual([
      `consent.granted ${con1201}`,
      `consent.granted ${canonicalConsentId(issuer, 'CON-1202')}`,
      `referral.submitted ${canonicalReferralId(issuer, 'KRR-REF-2025-114')}`,
      `consent.withdrawn ${con1201}`,
    ]);
    const [withdrawn] = ofType<Consent>(events, OW_EVENT_KINDS.consentWithdrawn.type);
    expect(withdrawn).toMatchObject({
      consentId: con1201,
      withdrawnAt: '2025-09-30T15:10:00-05:00',
      purpose: 'referral-to-employment-services',
    });
    const [referral] = ofType<Referral>(events, OW_EVENT_KINDS.referralSubmitted.type);
    expect(referral).toMatchObject({
      pathway: 'self',
      serviceWanted: 'literacy-and-basic-skills',
      preferredProvider: 'eo:provider-412',
      consentId: con1201,
    });
    expect(referral.personal!.name).toEqual({ givenName: 'Jean-François', familyName: "Bélanger-O'Neil" });
    expect(referral.personal!.contact).toEqual({
      phone: '+18075550142',
      address: { line1: 'General Delivery', city: 'Sioux Lookout', province: 'ON', postalCode: 'P8T 1A1' },
    });
    expect(referral.personal).not.toHaveProperty('notes');

    const deferrals = services(events).filter((s) => s.deferral !== undefined);
    expect(deferrals.map((s) => [s.kind, s.deferral?.deferralId, s.deferral?.reason, s.occurredOn])).toEqual([
      ['deferral-started', 'DEF-771', 'caregiver', '2025-03-01'],
      ['deferral-ended', 'DEF-771', 'caregiver', '2025-04-30'],
      ['deferral-started', 'DEF-772', 'awaiting-wsib', '2025-08-15'],
    ]);
    expect(deferrals[2].deferral).toEqual({
      deferralId: 'DEF-772',
      reason: 'awaiting-wsib',
      startDate: '2025-08-15',
      reviewDueOn: '2025-11-15',
    });
  });

  it('maps an accelerated referral with an action plan and a middle name (Marcus Okafor, version 1)', () => {
    const events = map(fixture('marcus-okafor-accelerated'));
    expect(events[0].event.type).toBe(OW_EVENT_KINDS.clientLinked.type);
    const [referral] = ofType<Referral>(events, OW_EVENT_KINDS.referralSubmitted.type);
    expect(referral).toMatchObject({
      pathway: 'accelerated',
      serviceWanted: 'better-jobs-ontario',
      referrer: 'ow:toronto',
    });
    expect(referral.personal!.name).toEqual({ givenName: 'Marcus', middleName: 'Chidi', familyName: 'Okafor' });
    expect(referral.personal!.contact?.address?.postalCode).toBe('M1R 3A5');
    expect(referral.personal!.contact?.phone).toBe('+14165550134');
    expect(services(events)[0].plan?.planType).toBe('employment-action-plan');
    expect(services(events)[1].activity?.activity).toBe('life-stabilization');
  });

  it('maps outcomes with their job as one employment spell, plan end and exit (Ananya Sharma)', () => {
    const record = fixture('ananya-sharma-exit-to-employment');
    const events = map(record);
    expect(short(events).filter((t) => !t.startsWith('service-event') && !t.startsWith('benefit'))).toEqual([
      'client.updated',
      'employment.started',
      'outcome.recorded',
      'employment.updated',
      'outcome.recorded',
      'outcome.recorded',
      'employment.updated',
      'outcome.recorded',
    ]);
    const kinds = services(events).map((s) => s.kind);
    expect(kinds.slice(-2)).toEqual(['plan-ended', 'exited']);
    expect(kinds).toContain('plan-reviewed');
    const exit = services(events).find((s) => s.kind === 'exited');
    expect(exit?.exit).toEqual({ exitedOn: '2025-08-29', exitReason: 'employed-full-time' });
    expect(exit?.source).toEqual({ system: 'sams', recordId: 'PEEL-CR-2024-551020', recordVersion: 12 });
    const planEnded = services(events).find((s) => s.kind === 'plan-ended');
    expect(planEnded?.plan).toMatchObject({
      planType: 'participation-agreement',
      status: 'closed',
      endDate: '2025-08-29',
    });

    const outcomes = ofType<OutcomeMilestone>(events, OW_EVENT_KINDS.outcomeRecorded.type);
    expect(outcomes.map((o) => [o.outcomeType, o.observedOn, o.achieved])).toEqual([
      ['employment', '2025-01-06', true],
      ['employment-retention', '2025-04-06', true],
      ['increased-earnings', '2025-06-30', true],
      ['exit-to-employment', '2025-08-29', true],
    ]);
    const spells = [
      ...ofType<EmploymentSpell>(events, OW_EVENT_KINDS.employmentStarted.type),
      ...ofType<EmploymentSpell>(events, OW_EVENT_KINDS.employmentUpdated.type),
    ];
    expect(new Set(spells.map((s) => s.employmentSpellId)).size).toBe(1);
    expect(outcomes[0].employmentSpellId).toBe(spells[0].employmentSpellId);
    expect(outcomes[2]).not.toHaveProperty('employmentSpellId');
    expect(outcomes[2].monthlyEarnings).toBe('2965.63');
    expect(spells[0].employment).toEqual({
      employerName: 'Brampton Logistics Inc.',
      jobTitle: 'Warehouse associate',
      selfEmployed: false,
      startDate: '2025-01-06',
      hoursPerWeek: 32,
      hourlyWage: '17.60',
      subsidized: false,
      evidenceType: 'pay-stub',
      evidenceReceivedOn: '2025-01-24',
    });
    expect(outcomes[3].employment?.evidenceType).toBe('client-attestation');
    expect(ofType(events, OW_EVENT_KINDS.employmentEnded.type)).toEqual([]);
    const [fteb] = ofType<BenefitIssued>(events, OW_EVENT_KINDS.benefitIssued.type);
    expect(fteb).toMatchObject({ benefitType: 'full-time-employment-benefit', amount: '500.00', issuedBy: 'ow:peel' });
    expect(ofType<Client>(events, OW_EVENT_KINDS.clientUpdated.type)[0].personal.name.preferredName).toBe('Anu');
  });

  it('ends an employment spell once a mention of the job has an end date', () => {
    const record = fixture('ananya-sharma-exit-to-employment');
    record.outcomes![3].employment!.jobEndDate = '2025-08-29';
    const events = map(record);
    const [ended] = ofType<EmploymentSpell>(events, OW_EVENT_KINDS.employmentEnded.type);
    expect(ended.employment.endDate).toBe('2025-08-29');
    expect(ended.source.entryId).toBe('JOB-4410');
    expect(events[events.length - 1].event.type).toBe(OW_EVENT_KINDS.employmentEnded.type);
    expect(contractProblems(events, record, ceSourceOf(record))).toEqual([]);
  });

  it('sets the CloudEvents attributes from the record and the context, never from the clock', () => {
    const record = fixture('eloise-cote-tremblay-referral');
    const ctx = { ...baseContext, correlationId: '0b7e1f62-2d1c-4a8e-9f3a-5c6d7e8f9a0b' };
    const events = map(record, ctx);
    expect(contractProblems(events, record, '/ow/sams/greater-sudbury', ctx)).toEqual([]);
    for (const { event } of events) {
      expect(event.correlationid).toBe(ctx.correlationId);
      expect(event.causationid).toBe(ctx.sourceEventId);
      expect(event.time).toBe('2025-09-15T14:22:05-04:00');
    }
  });

  it('maps an OW record of the ODSP program code to program ODSP', () => {
    const record = fixture('marcus-okafor-accelerated');
    record.programCode = 'ODSP';
    const events = map(record);
    for (const { event } of events) expect((event.data as { program: string }).program).toBe('ODSP');
  });
});

describe('mapOwCaseRecord: records it must refuse', () => {
  const unmapped = unmappedFixtures('sources/ow-case-record.json');

  it('has unmapped fixtures to test', () => expect(unmapped.length).toBeGreaterThanOrEqual(2));

  it.each(unmapped.map((f) => [f.file, f] as const))('%s -> ok: false, naming each field and code', (_file, f) => {
    expect(schemaRegistry().validate(OW_CASE_RECORD_SCHEMA_ID, f.record).ok).toBe(true);
    const result = mapOwCaseRecord(f.record as OwCaseRecord, baseContext);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reasons).toHaveLength(f.expect.length);
    for (const [i, { pointer, code }] of f.expect.entries()) {
      expect(result.reasons[i].startsWith(`${pointer}: `)).toBe(true);
      expect(result.reasons[i]).toContain(`"${code}"`);
    }
    expect(result.reasons.join(' ')).not.toMatch(/unknown/i);
  });

  it('refuses a referral whose consent is not in the record', () => {
    const record = fixture('eloise-cote-tremblay-referral');
    record.referralRequest!.consentId = 'CON-0000';
    const result = mapOwCaseRecord(record, baseContext);
    expect(result).toEqual({
      ok: false,
      reasons: [expect.stringMatching(/^\/referralRequest\/consentId: "CON-0000"/)],
    });
  });

  it('refuses repeated entry ids (two events would share a ce_id)', () => {
    const record = fixture('eloise-cote-tremblay-referral');
    record.activities![2].activityId = 'ACT-77812';
    record.benefitsIssued![1].benefitId = 'BEN-90011';
    const result = mapOwCaseRecord(record, baseContext);
    expect(result).toEqual({
      ok: false,
      reasons: [
        expect.stringMatching(/^\/activities\/2\/activityId: "ACT-77812" repeats \/activities\/0\/activityId/),
        expect.stringMatching(/^\/benefitsIssued\/1\/benefitId: /),
      ],
    });
  });
});

describe('mapOwCaseRecord: properties', () => {
  it('generated records are valid OW case records (the generator keeps the source schema)', () => {
    fc.assert(
      fc.property(owCaseRecordArb, (record) => {
        const result = schemaRegistry().validate(OW_CASE_RECORD_SCHEMA_ID, record);
        if (!result.ok) throw new Error(JSON.stringify(result.errors));
      }),
      { numRuns: 200 },
    );
  });

  it('every valid record maps to events that keep the contract and validate against their schemas', () => {
    fc.assert(
      fc.property(owCaseRecordArb, contextArb, (record, ctx) => {
        const events = map(record, ctx);
        expect(contractProblems(events, record, ceSourceOf(record), ctx)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('mapping the same record twice gives deep-equal events and the same ce_ids', () => {
    fc.assert(
      fc.property(owCaseRecordArb, contextArb, (record, ctx) => {
        const first = map(record, ctx);
        const second = map(structuredClone(record), { ...ctx });
        expect(second).toEqual(first);
        expect(second.map((e) => e.event.id)).toEqual(first.map((e) => e.event.id));
      }),
      { numRuns: 200 },
    );
  });

  it('another version of a record gives other ce_ids and occurrence ids, but the same stable entity ids', () => {
    fc.assert(
      fc.property(owCaseRecordArb, fc.integer({ min: 1, max: 1000 }), (record, step) => {
        const next = { ...record, recordVersion: record.recordVersion + step };
        const a = map(record);
        const b = map(next);
        const ids = new Set(a.map((e) => e.event.id));
        expect(b.filter((e) => ids.has(e.event.id))).toEqual([]);
        // Same entries in the same order, so subjects pair up: stable ones equal, occurrences differ.
        expect(b.map((e) => e.topic)).toEqual(a.map((e) => e.topic));
        a.forEach(({ event }, i) => {
          const stable = !['ca.on.passerelle.service-event.recorded', 'ca.on.passerelle.outcome.recorded'].includes(
            event.type,
          );
          if (stable) expect(b[i].event.subject).toBe(event.subject);
          else expect(b[i].event.subject).not.toBe(event.subject);
        });
      }),
      { numRuns: 150 },
    );
  });

  it('a record with any unmapped code is refused with a reason naming field and code, never mapped', () => {
    fc.assert(
      fc.property(owCaseRecordArb, fc.stringMatching(/^ZZ[A-Z0-9]{1,6}$/), (record, bad) => {
        const result = mapOwCaseRecord({ ...record, programCode: bad }, baseContext);
        expect(result.ok).toBe(false);
        if (!result.ok)
          expect(result.reasons).toEqual([`/programCode: sams code "${bad}" has no mapping in code table programs`]);
      }),
      { numRuns: 50 },
    );
  });
});
