import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EoServiceRecord, MappedEvent, OdspEmploymentRecord, OwCaseRecord, Referral } from '@passerelle/contracts';
import { mapEoServiceRecord } from '../../apps/eo-adapter/src/mapping';
import { mapOwCaseRecord } from '../../apps/ow-adapter/src/mapping';
import { CatchmentRouter } from '../../apps/referral-tracker/src/routing/catchment-router';
import { loadProviderDirectory } from '../../apps/referral-tracker/src/routing/provider-directory';

// From the sources (test/support) or the build (dist/test/support, used by `npm run bench`).
const FIXTURES = join(
  __dirname,
  ...(__dirname.includes(join('dist', 'test')) ? ['..', '..', '..'] : ['..', '..']),
  'test',
  'fixtures',
  'sources',
);
/** The record type of the fixtures in each source folder. */
interface FixtureRecords {
  'ow-case-record': OwCaseRecord;
  'odsp-employment-record': OdspEmploymentRecord;
  'eo-service-record': EoServiceRecord;
}

/** A fixture file, typed by the source folder its path starts with. */
export const readFixture = <S extends keyof FixtureRecords>(path: `${S}/${string}`): FixtureRecords[S] =>
  JSON.parse(readFileSync(join(FIXTURES, path), 'utf8')) as FixtureRecords[S];

/**
 * A referrer's fixture as a referral of its own: its record, referral and consent ids suffixed
 * with `-<tag>` (each referral under its own consent, so withdrawing one leaves the others
 * routable), and the person's member id replaced when given (a client of its own).
 */
export function taggedReferral<S extends 'ow-case-record' | 'odsp-employment-record'>(
  path: `${S}/${string}`,
  tag: string,
  memberId?: string,
): FixtureRecords[S] {
  const record: OwCaseRecord | OdspEmploymentRecord = readFixture(path);
  record.sourceRecordId += `-${tag}`;
  if (memberId !== undefined) record.personal.memberId = memberId;
  record.referralRequest!.referralId += `-${tag}`;
  record.referralRequest!.consentId += `-${tag}`;
  record.consents = record.consents!.map((c) => ({ ...c, consentId: `${c.consentId}-${tag}` }));
  return record as FixtureRecords[S];
}

/** Dates moved one year on: the Hamilton fixture's job, follow-ups and exit follow a 2025 referral. */
export const nextYear = <T>(value: T): T =>
  JSON.parse(
    JSON.stringify(value).replace(
      /"(2024|2025)-(\d\d-\d\d)/g,
      (_m, y: string, rest: string) => `"${Number(y) + 1}-${rest}`,
    ),
  ) as T;

/** Events the referral tracker consumes (clients.v1 is not among them). */
export const TRACKER_EVENT_TYPES = new Set([
  'ca.on.passerelle.referral.submitted',
  'ca.on.passerelle.consent.granted',
  'ca.on.passerelle.referral.response-recorded',
  'ca.on.passerelle.service-event.recorded',
  'ca.on.passerelle.employment.started',
  'ca.on.passerelle.outcome.recorded',
  'ca.on.passerelle.benefit.issued',
]);

export interface ClientPath {
  clientId: string;
  referralId: string;
  provider: string;
  /** Canonical events of the path, in mapping order: the OW record, then the EO record's versions 1 to 3. */
  events: MappedEvent[];
}

/**
 * One client's whole path as the adapters map it: the Sudbury OW record (consent, referral), then
 * three versions of the provider's CaMS record (answer and plan; a job; follow-ups and exit). `n`
 * gives every source id its own value, so paths of several clients never share an entity.
 */
export function clientPath(clientId: string, n = 0): ClientPath {
  const tag = n === 0 ? '' : `-${n}`;
  const ow = readFixture('ow-case-record/eloise-cote-tremblay-referral.json');
  ow.sourceRecordId += tag;
  ow.personal.memberId = n === 0 ? ow.personal.memberId : String(300_000_000 + n);
  ow.referralRequest!.referralId += tag;
  ow.referralRequest!.consentId += tag;
  ow.consents = ow.consents!.map((c) => ({ ...c, consentId: c.consentId + tag }));
  ow.benefitsIssued = ow.benefitsIssued?.map((b) => ({ ...b, benefitId: b.benefitId + tag }));
  const owMapped = mapOwCaseRecord(ow, { clientId, sourceEventId: `raw-ow${tag}` });
  if (!owMapped.ok) throw new Error(owMapped.reasons.join('; '));
  const referral = owMapped.events.find((e) => e.event.type === 'ca.on.passerelle.referral.submitted')!.event
    .data as Referral;
  const decision = new CatchmentRouter(loadProviderDirectory()).route({
    serviceWanted: referral.serviceWanted,
    postalCode: referral.personal!.contact!.address!.postalCode,
  });
  if (!decision.routed) throw new Error('the fixture should be routable');

  const versions = providerRecordVersions({
    tag,
    providerId: decision.provider.slice('eo:'.length),
    referralId: referral.referralId,
    ...(n !== 0 && { clientReferenceNumber: `CRN-${n}` }),
  });
  const eo = versions.flatMap((record, i) => {
    const mapped = mapEoServiceRecord(record, { clientId, sourceEventId: `raw-eo${tag}-${i + 1}` });
    if (!mapped.ok) throw new Error(mapped.reasons.join('; '));
    return mapped.events;
  });
  return {
    clientId,
    referralId: referral.referralId,
    provider: decision.provider,
    events: [...owMapped.events, ...eo].filter((e) => TRACKER_EVENT_TYPES.has(e.event.type)),
  };
}

const withoutSamsId = ({ samsMemberId: _sams, ...personal }: EoServiceRecord['personal']) => personal;

/**
 * A provider's CaMS record of one referred client in three versions: v1 the answer (accepted),
 * assessment and plan; v2 adds a job start; v3 the 1, 3, 6 and 12-month follow-ups and the exit.
 * `tag` makes every source id unique.
 */
export function providerRecordVersions(opts: {
  tag: string;
  providerId: string;
  referralId: string;
  clientReferenceNumber?: string;
  samsMemberId?: string;
  /** An ODSP client's member id: the record is then of that ODSP client instead of the OW one. */
  odspMemberId?: string;
}): EoServiceRecord[] {
  const { tag } = opts;
  const base = readFixture('eo-service-record/eloise-cote-tremblay-accepted.json');
  const hamilton = readFixture('eo-service-record/amira-haddad-follow-ups.json');
  const job = nextYear(hamilton.employments!).map((e) => ({ ...e, employmentId: e.employmentId + tag }));
  const v1: EoServiceRecord = {
    ...base,
    sourceRecordId: base.sourceRecordId + tag,
    recordVersion: 1,
    ...(opts.odspMemberId !== undefined && { programCode: 'ODSP' }),
    provider: { ...base.provider, providerId: opts.providerId },
    personal: {
      ...(opts.odspMemberId === undefined ? base.personal : withoutSamsId(base.personal)),
      ...(opts.clientReferenceNumber !== undefined && { clientReferenceNumber: opts.clientReferenceNumber }),
      ...(opts.samsMemberId !== undefined && { samsMemberId: opts.samsMemberId }),
      ...(opts.odspMemberId !== undefined && { odspMemberId: opts.odspMemberId }),
    },
    referralResponse: { ...base.referralResponse!, referralId: opts.referralId },
    benefitsIssued: base.benefitsIssued?.map((b) => ({ ...b, benefitId: b.benefitId + tag })),
  };
  const v2: EoServiceRecord = { ...v1, recordVersion: 2, recordedAt: '2025-11-10T10:00:00-05:00', employments: job };
  const v3: EoServiceRecord = {
    ...v2,
    recordVersion: 3,
    recordedAt: '2026-11-10T10:00:00-05:00',
    followUps: nextYear(hamilton.followUps!).map((f) => ({
      ...f,
      followUpId: f.followUpId + tag,
      ...(f.employment && { employment: { ...f.employment, employmentId: f.employment.employmentId + tag } }),
    })),
    exit: nextYear(hamilton.exit),
  };
  return [v1, v2, v3];
}
