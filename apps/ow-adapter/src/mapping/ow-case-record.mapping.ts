/**
 * OW (SAMS) case record -> canonical CloudEvents. A delivery agent's record is read into the view
 * shared with ODSP records (./source-record.mapping.ts): organization `ow:<delivery agent>`,
 * SAMS codes, deferrals, `outcomes`. The SAMS case (benefit unit) number has no canonical home
 * (it is neither a person id nor a link) and is not carried on.
 */
import { schemaIdForPath, type MappingContext, type MappingResult, type OwCaseRecord } from '@passerelle/contracts';
import { mapSourceView, type SourceView } from './source-record.mapping';

export const OW_CASE_RECORD_SCHEMA_ID = schemaIdForPath('sources/ow-case-record.json');

/** The parts of an OW case record the shared mapping reads. */
export function owCaseRecordView(record: OwCaseRecord): SourceView {
  const agent = record.deliveryAgent.code;
  const { memberId, name, birthDate, preferredLanguage, contact } = record.personal;
  return {
    schemaId: OW_CASE_RECORD_SCHEMA_ID,
    record,
    issuer: { system: 'sams', orgCode: agent },
    org: `ow:${agent}`,
    ceSource: `/ow/sams/${agent}`,
    recordId: record.sourceRecordId,
    recordVersion: record.recordVersion,
    recordedAt: record.recordedAt,
    programCode: record.programCode,
    personal: { memberId, name, birthDate, preferredLanguage, contact },
    ...(record.participationPlan !== undefined && {
      plan: { value: record.participationPlan, pointer: '/participationPlan' },
    }),
    activities: record.activities ?? [],
    deferrals: record.deferrals ?? [],
    benefits: record.benefitsIssued ?? [],
    consents: record.consents ?? [],
    ...(record.referralRequest !== undefined && { referralRequest: record.referralRequest }),
    outcomes: { values: record.outcomes ?? [], pointer: '/outcomes' },
    ...(record.exit !== undefined && { exit: record.exit }),
  };
}

/**
 * Maps one OW case record (already valid against `sources/ow-case-record.json`) to its canonical
 * events, or says why it cannot (source codes with no mapping, each naming field and code).
 */
export function mapOwCaseRecord(record: OwCaseRecord, context: MappingContext): MappingResult {
  return mapSourceView(owCaseRecordView(record), context);
}
