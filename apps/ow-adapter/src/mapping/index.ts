/** Pure OW (SAMS) and ODSP source record -> canonical event mappings of the OW adapter. */
export { OW_CASE_RECORD_SCHEMA_ID, mapOwCaseRecord, owCaseRecordView } from './ow-case-record.mapping';
export {
  ODSP_EMPLOYMENT_RECORD_SCHEMA_ID,
  mapOdspEmploymentRecord,
  odspEmploymentRecordView,
} from './odsp-employment-record.mapping';
export { mapSourceView } from './source-record.mapping';
export type { SourceView } from './source-record.mapping';
export { OW_EVENT_KINDS } from './event-kinds';
export type { EventKind } from './event-kinds';
export { canonicalConsentId, canonicalReferralId, occurrenceEntityId, stableEntityId } from '@passerelle/translation';
export type { EntryIssuer, StableEntity } from '@passerelle/translation';
