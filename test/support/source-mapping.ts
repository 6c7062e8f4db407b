/**
 * Test support shared by the mapping specs (not a spec itself): the golden fixtures, the
 * asyncapi.yaml contract of each `ce_type`, the contract checks every mapped event must pass,
 * and fast-check generators of valid OW and ODSP records built from the source schemas'
 * constraints, with codes drawn from the source maps of libs/codes.
 */
import { codeTable, type CodeTableName } from '@passerelle/codes';
import {
  loadAsyncApiDocument,
  schemaRegistry,
  type MappedEvent,
  type MappingContext,
  type MappingResult,
  type OdspEmploymentRecord,
  type OwCaseRecord,
} from '@passerelle/contracts';
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const FIXTURES = join(__dirname, '..', 'fixtures', 'sources');

const readJson = (file: string): unknown => JSON.parse(readFileSync(file, 'utf8'));

/** The record type of each source whose fixtures the mapping specs read. */
interface SourceRecords {
  'ow-case-record': OwCaseRecord;
  'odsp-employment-record': OdspEmploymentRecord;
}

/** Every valid record of one source: the golden files and each line of the partner export. */
export function validFixtures<S extends keyof SourceRecords>(
  source: S,
): Array<{ name: string; record: SourceRecords[S] }> {
  return [
    ...readdirSync(join(FIXTURES, source))
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f) => ({
        name: f.replace(/\.json$/, ''),
        record: readJson(join(FIXTURES, source, f)) as SourceRecords[S],
      })),
    ...readFileSync(join(FIXTURES, `${source}.ndjson`), 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line, i) => ({ name: `${source}.ndjson:${i + 1}`, record: JSON.parse(line) as SourceRecords[S] })),
  ];
}

export interface UnmappedFixture {
  file: string;
  schema: string;
  description: string;
  expect: Array<{ pointer: string; code: string }>;
  record: unknown;
}

/** The `unmapped/` fixtures of one source schema (`sources/ow-case-record.json`...). */
export function unmappedFixtures(schema: string): UnmappedFixture[] {
  const dir = join(FIXTURES, 'unmapped');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ file: f, ...(readJson(join(dir, f)) as Omit<UnmappedFixture, 'file'>) }))
    .filter((f) => f.schema === schema);
}

/** `ce_type` -> topic address and pinned `ce_dataschema`, read from asyncapi.yaml. */
export function asyncApiTypes(): Map<string, { topic: string; dataschema: string }> {
  const doc = loadAsyncApiDocument() as unknown as {
    channels: Record<string, { address: string; messages?: Record<string, { $ref: string }> }>;
    components: {
      // A $ref may name a message that is not there, and a header part need not pin ce_type.
      messages: Partial<
        Record<string, { headers?: { allOf?: Array<{ properties?: Partial<Record<string, { const?: string }>> }> } }>
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

export const baseContext: MappingContext = {
  clientId: '8a4f2c1e-3b5d-4e6f-9a7b-1c2d3e4f5a6b',
  sourceEventId: 'f1e2d3c4-b5a6-4978-8a9b-0c1d2e3f4a5b',
};

export function eventsOf(result: MappingResult): MappedEvent[] {
  if (!result.ok) throw new Error(`mapping failed: ${result.reasons.join('; ')}`);
  return result.events;
}

const ENTITY_ID_FIELDS = [
  'serviceEventId',
  'benefitId',
  'outcomeId',
  'employmentSpellId',
  'referralId',
  'consentId',
] as const;

/** Every contract rule an event of the OW adapter must keep; returns the problems found (none = good). */
export function contractProblems(
  events: MappedEvent[],
  record: { recordedAt: string; recordVersion: number },
  ceSource: string,
  ctx: MappingContext = baseContext,
): string[] {
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
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(event.id))
      problems.push(`${where}: ce_id is not a v5 UUID`);
    // Typed as constants, but a mapping could still produce others through a cast: checked at run time.
    if ((event.specversion as string) !== '1.0' || (event.datacontenttype as string) !== 'application/json')
      problems.push(`${where}: specversion / content type`);
    if (event.source !== ceSource) problems.push(`${where}: source ${event.source}, expected ${ceSource}`);
    if (event.time !== record.recordedAt) problems.push(`${where}: time ${event.time}`);
    if (event.partitionkey !== ctx.clientId) problems.push(`${where}: partitionkey`);
    if (event.causationid !== ctx.sourceEventId) problems.push(`${where}: causationid`);
    if (event.correlationid !== (ctx.correlationId ?? ctx.sourceEventId)) problems.push(`${where}: correlationid`);
    const data = event.data as Record<string, unknown> & { source?: { recordVersion?: number } };
    if (data.clientId !== ctx.clientId) problems.push(`${where}: data.clientId`);
    if (data.source?.recordVersion !== record.recordVersion) problems.push(`${where}: data.source.recordVersion`);
    // The subject is the entity the event is about (referral.submitted: the referral, not its consent).
    const entityField = ENTITY_ID_FIELDS.find((f) => typeof data[f] === 'string');
    const entityId = entityField === undefined ? data.clientId : data[entityField];
    if (event.subject !== entityId)
      problems.push(`${where}: subject ${event.subject} is not the entity id ${String(entityId)}`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Generators of valid source records (constraints of schemas/sources/*.json).

const sourceCodes = (table: CodeTableName, system: 'sams' | 'odsp'): string[] =>
  Object.keys(codeTable(table).sourceMaps[system] ?? {});
const codeArb = (table: CodeTableName, system: 'sams' | 'odsp') => fc.constantFrom(...sourceCodes(table, system));

const DAY = 86_400_000;
export const dateArb = fc
  .integer({ min: Date.UTC(1940, 0, 1) / DAY, max: Date.UTC(2030, 11, 31) / DAY })
  .map((d) => new Date(d * DAY).toISOString().slice(0, 10));
export const dateTimeArb = fc
  .tuple(
    fc.integer({ min: Date.UTC(2015, 0, 1) / 1000, max: Date.UTC(2030, 11, 31) / 1000 }),
    fc.constantFrom('Z', '-04:00', '-05:00', '+00:00'),
  )
  .map(([s, offset]) => new Date(s * 1000).toISOString().slice(0, 19) + offset);
const entryIdArb = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9:._/-]{0,24}$/);
const orgCodeArb = fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,20}$/);
const orgIdArb = fc
  .tuple(fc.constantFrom('ow', 'odsp', 'eo', 'ministry'), orgCodeArb)
  .map(([kind, code]) => `${kind}:${code}`);
const moneyArb = fc
  .integer({ min: 0, max: 999_999_999 })
  .map((c) => `${Math.floor(c / 100)}.${String(c % 100).padStart(2, '0')}`);
const displayNameArb = fc.constantFrom(
  'Ville du Grand Sudbury',
  'POSPH — Région du Nord-Est',
  'Collège Boréal',
  'Peel Career Connections',
  'Les Délices de Chloé',
);
/** Names as people write them: accents, apostrophes, hyphens, other scripts. */
const personNameArb = fc.oneof(
  fc.constantFrom(
    'Éloïse',
    'Côté-Tremblay',
    'Jean-François',
    "Bélanger-O'Neil",
    'Zoé',
    'Lachance-Ouellet',
    'Chloé',
    'Gagné',
    'Nguyễn',
    'Łukasz',
    'Anu',
  ),
  fc.stringMatching(/^[A-Za-zÀ-ÖØ-öø-ÿ]([A-Za-zÀ-ÖØ-öø-ÿ' -]{0,20}[A-Za-zÀ-ÖØ-öø-ÿ])?$/),
);
const nameArb = fc.record(
  { givenName: personNameArb, middleName: personNameArb, familyName: personNameArb, preferredName: personNameArb },
  { requiredKeys: ['givenName', 'familyName'] },
);
const contactArb = fc.record(
  {
    phone: fc.stringMatching(/^(\+?1[ .-]?)?(\([2-9][0-9]{2}\)|[2-9][0-9]{2})[ .-]?[2-9][0-9]{2}[ .-]?[0-9]{4}$/),
    email: fc.stringMatching(/^[a-z0-9]{1,12}(\.[a-z0-9]{1,8})?@[a-z0-9]{1,12}\.(ca|org|com)$/),
    address: fc.record(
      {
        line1: fc.constantFrom('12, rue Sainte-Anne', 'General Delivery', '88 Queen St S', 'RR 2'),
        line2: fc.constantFrom('app. 3', 'Unit 1207'),
        city: fc.constantFrom('Sudbury', 'Sioux Lookout', 'Mississauga', 'Hearst', 'Trois-Rivières'),
        province: fc.constantFrom('AB', 'BC', 'MB', 'NB', 'NL', 'NS', 'NT', 'NU', 'ON', 'PE', 'QC', 'SK', 'YT'),
        postalCode: fc.stringMatching(/^[ABCEGHJ-NPRSTVXY][0-9][ABCEGHJ-NPRSTV-Z] ?[0-9][ABCEGHJ-NPRSTV-Z][0-9]$/),
      },
      { requiredKeys: ['city', 'province', 'postalCode'] },
    ),
  },
  { requiredKeys: [] },
);

const planArb = (system: 'sams' | 'odsp') =>
  fc.record(
    {
      planId: entryIdArb,
      planTypeCode: codeArb('plan-types', system),
      signedOn: dateArb,
      endDate: dateArb,
      lastReviewedOn: dateArb,
      reviewDueOn: dateArb,
    },
    { requiredKeys: ['planId', 'planTypeCode', 'signedOn', 'reviewDueOn'] },
  );
const activitiesArb = (system: 'sams' | 'odsp') =>
  fc.uniqueArray(
    fc.record(
      {
        activityId: entryIdArb,
        activityCode: codeArb('activities', system),
        startDate: dateArb,
        endDate: dateArb,
        thirdPartyProvider: displayNameArb,
      },
      { requiredKeys: ['activityId', 'activityCode', 'startDate'] },
    ),
    { selector: (a) => a.activityId, maxLength: 4 },
  );
const deferralsArb = fc.uniqueArray(
  fc.record(
    {
      deferralId: entryIdArb,
      reasonCode: codeArb('deferral-reasons', 'sams'),
      startDate: dateArb,
      endDate: dateArb,
      reviewDueOn: dateArb,
    },
    { requiredKeys: ['deferralId', 'reasonCode', 'startDate', 'reviewDueOn'] },
  ),
  { selector: (d) => d.deferralId, maxLength: 3 },
);
const benefitsArb = (system: 'sams' | 'odsp') =>
  fc.uniqueArray(
    fc.record(
      {
        benefitId: entryIdArb,
        benefitTypeCode: codeArb('benefit-types', system),
        amount: moneyArb,
        issuedOn: dateArb,
        periodStart: dateArb,
        periodEnd: dateArb,
      },
      { requiredKeys: ['benefitId', 'benefitTypeCode', 'amount', 'issuedOn', 'periodStart'] },
    ),
    { selector: (b) => b.benefitId, maxLength: 4 },
  );
const consentsArb = (system: 'sams' | 'odsp') =>
  fc.uniqueArray(
    fc.record(
      {
        consentId: entryIdArb,
        purposeCode: codeArb('consent-purposes', system),
        recipients: fc.uniqueArray(orgIdArb, { minLength: 1, maxLength: 3 }),
        grantedAt: dateTimeArb,
        expiresOn: dateArb,
        withdrawnAt: dateTimeArb,
      },
      { requiredKeys: ['consentId', 'purposeCode', 'recipients', 'grantedAt'] },
    ),
    { selector: (c) => c.consentId, maxLength: 3 },
  );
const referralArb = (system: 'sams' | 'odsp', consentIds: string[]) =>
  fc.record(
    {
      referralId: entryIdArb,
      requestedAt: dateTimeArb,
      serviceWantedCode: codeArb('service-types', system),
      pathwayCode: codeArb('referral-pathways', system),
      preferredProviderId: orgCodeArb.map((c) => `eo:${c}`),
      consentId: fc.constantFrom(...consentIds),
      notes: fc.constantFrom(
        '',
        'Préfère des rendez-vous en français, le matin.',
        'Needs an accessible entrance; available afternoons.',
      ),
    },
    { requiredKeys: ['referralId', 'requestedAt', 'serviceWantedCode', 'pathwayCode', 'consentId'] },
  );
const employmentArb = (system: 'sams' | 'odsp') =>
  fc.record(
    {
      // A small pool, so several outcomes are about the same job (started, then updated).
      employmentId: fc.constantFrom('JOB-1', 'JOB-2', 'SE-1'),
      employerName: fc.constantFrom('Brampton Logistics Inc.', 'Les Délices de Chloé', 'Georgian Print & Sign'),
      jobTitle: fc.constantFrom('Warehouse associate', 'Préposée aux services de soutien'),
      selfEmployed: fc.boolean(),
      jobStartDate: dateArb,
      jobEndDate: dateArb,
      hoursPerWeek: fc.integer({ min: 0, max: 1680 }).map((n) => n / 10),
      hourlyWage: moneyArb,
      subsidized: fc.boolean(),
      evidenceTypeCode: codeArb('evidence-types', system),
      evidenceReceivedOn: dateArb,
    },
    { requiredKeys: ['employmentId', 'employerName', 'jobStartDate', 'hoursPerWeek', 'subsidized'] },
  );
const outcomesArb = (system: 'sams' | 'odsp') =>
  fc.uniqueArray(
    fc.record(
      {
        outcomeId: entryIdArb,
        outcomeTypeCode: codeArb('outcome-types', system),
        achievedOn: dateArb,
        monthlyEarnings: moneyArb,
        employment: employmentArb(system),
      },
      { requiredKeys: ['outcomeId', 'outcomeTypeCode', 'achievedOn'] },
    ),
    { selector: (o) => o.outcomeId, maxLength: 4 },
  );
const exitArb = (system: 'sams' | 'odsp') =>
  fc.record({ exitedOn: dateArb, exitReasonCode: codeArb('exit-reasons', system) });
const personalCommon = {
  name: nameArb,
  birthDate: dateArb,
  preferredLanguage: fc.constantFrom('en', 'fr'),
  contact: contactArb,
};

/** Adds consents and, when there is one, maybe a referral request naming one of them. */
function withConsentsAndReferral<T extends object>(base: fc.Arbitrary<T>, system: 'sams' | 'odsp') {
  return fc.tuple(base, consentsArb(system), fc.boolean()).chain(([record, consents, refer]) => {
    const withConsents = consents.length === 0 ? record : { ...record, consents };
    if (!refer || consents.length === 0) return fc.constant(withConsents);
    return referralArb(
      system,
      consents.map((c) => c.consentId),
    ).map((referralRequest) => ({ ...withConsents, referralRequest }));
  });
}

/** Valid OW case records (SAMS codes from the source maps). */
export const owCaseRecordArb: fc.Arbitrary<OwCaseRecord> = withConsentsAndReferral(
  fc.record(
    {
      sourceRecordId: entryIdArb,
      recordVersion: fc.integer({ min: 1, max: 1_000_000 }),
      recordedAt: dateTimeArb,
      deliveryAgent: fc.record(
        { code: orgCodeArb, name: displayNameArb, officeCode: fc.stringMatching(/^[A-Z0-9]{2,10}$/) },
        { requiredKeys: ['code'] },
      ),
      programCode: codeArb('programs', 'sams'),
      personal: fc.record(
        { memberId: fc.stringMatching(/^[0-9]{8,10}$/), caseId: fc.stringMatching(/^[0-9]{7,10}$/), ...personalCommon },
        { requiredKeys: ['memberId', 'caseId', 'name', 'birthDate'] },
      ),
      participationPlan: planArb('sams'),
      activities: activitiesArb('sams'),
      deferrals: deferralsArb,
      benefitsIssued: benefitsArb('sams'),
      outcomes: outcomesArb('sams'),
      exit: exitArb('sams'),
    },
    { requiredKeys: ['sourceRecordId', 'recordVersion', 'recordedAt', 'deliveryAgent', 'programCode', 'personal'] },
  ),
  'sams',
) as fc.Arbitrary<OwCaseRecord>;

/** Valid ODSP employment records (ODSP codes from the source maps). */
export const odspEmploymentRecordArb: fc.Arbitrary<OdspEmploymentRecord> = withConsentsAndReferral(
  fc.record(
    {
      sourceRecordId: entryIdArb,
      recordVersion: fc.integer({ min: 1, max: 1_000_000 }),
      recordedAt: dateTimeArb,
      office: fc.record({ code: orgCodeArb, name: displayNameArb }, { requiredKeys: ['code'] }),
      serviceProviderName: displayNameArb,
      programCode: codeArb('programs', 'odsp'),
      personal: fc.record(
        { memberId: fc.stringMatching(/^[0-9]{8,10}$/), ...personalCommon },
        { requiredKeys: ['memberId', 'name', 'birthDate'] },
      ),
      employmentPlan: planArb('odsp'),
      activities: activitiesArb('odsp'),
      benefitsIssued: benefitsArb('odsp'),
      milestones: outcomesArb('odsp'),
      exit: exitArb('odsp'),
    },
    { requiredKeys: ['sourceRecordId', 'recordVersion', 'recordedAt', 'office', 'programCode', 'personal'] },
  ),
  'odsp',
) as fc.Arbitrary<OdspEmploymentRecord>;

/** Mapping contexts: any client and source event id, with or without a correlation id. */
export const contextArb: fc.Arbitrary<MappingContext> = fc.record(
  { clientId: fc.uuid({ version: 5 }), sourceEventId: fc.uuid({ version: 5 }), correlationId: fc.uuid({ version: 4 }) },
  { requiredKeys: ['clientId', 'sourceEventId'] },
);
