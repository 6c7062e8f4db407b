/**
 * ODSP employment-supports record -> canonical CloudEvents. An ODSP office's record is read into
 * the view shared with OW case records (./source-record.mapping.ts): organization
 * `odsp:<office>`, ODSP codes, no deferrals (ODSP employment supports are voluntary), and the
 * ODSP milestones as outcomes (6- / 13-week placements, job retention, self-employment ->
 * `odsp-*` codes of codes/outcome-types.json). `serviceProviderName` has no canonical home
 * (no canonical record names a non-EO provider per client) and is not carried on.
 */
import {
  schemaIdForPath,
  type MappingContext,
  type MappingResult,
  type OdspEmploymentRecord,
} from '@passerelle/contracts';
import { mapSourceView, type SourceView } from './source-record.mapping';

export const ODSP_EMPLOYMENT_RECORD_SCHEMA_ID = schemaIdForPath('sources/odsp-employment-record.json');

/** The parts of an ODSP employment record the shared mapping reads. */
export function odspEmploymentRecordView(record: OdspEmploymentRecord): SourceView {
  const office = record.office.code;
  const { memberId, name, birthDate, preferredLanguage, contact } = record.personal;
  return {
    schemaId: ODSP_EMPLOYMENT_RECORD_SCHEMA_ID,
    record,
    issuer: { system: 'odsp', orgCode: office },
    org: `odsp:${office}`,
    ceSource: `/odsp/${office}`,
    recordId: record.sourceRecordId,
    recordVersion: record.recordVersion,
    recordedAt: record.recordedAt,
    programCode: record.programCode,
    personal: { memberId, name, birthDate, preferredLanguage, contact },
    ...(record.employmentPlan !== undefined && { plan: { value: record.employmentPlan, pointer: '/employmentPlan' } }),
    activities: record.activities ?? [],
    deferrals: [],
    benefits: record.benefitsIssued ?? [],
    consents: record.consents ?? [],
    ...(record.referralRequest !== undefined && { referralRequest: record.referralRequest }),
    outcomes: { values: record.milestones ?? [], pointer: '/milestones' },
    ...(record.exit !== undefined && { exit: record.exit }),
  };
}

/**
 * Maps one ODSP employment record (already valid against `sources/odsp-employment-record.json`)
 * to its canonical events, or says why it cannot (source codes with no mapping, each naming
 * field and code).
 */
export function mapOdspEmploymentRecord(record: OdspEmploymentRecord, context: MappingContext): MappingResult {
  return mapSourceView(odspEmploymentRecordView(record), context);
}
