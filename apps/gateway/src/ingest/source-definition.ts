import type { OrgKind } from '@passerelle/auth';
import {
  schemaIdForPath,
  type CloudEvent,
  type ContractEventType,
  type ContractTopicName,
  type OdspEmploymentRecord,
  type OwCaseRecord,
} from '@passerelle/contracts';
import { receivedRecordEvent } from './received-record';

export const OW_CASE_RECORD_SCHEMA_ID = schemaIdForPath('sources/ow-case-record.json');
export const OW_CASE_RECORD_RECEIVED = 'ca.on.passerelle.ow-case-record.received' satisfies ContractEventType;
export const ODSP_EMPLOYMENT_RECORD_SCHEMA_ID = schemaIdForPath('sources/odsp-employment-record.json');
export const ODSP_EMPLOYMENT_RECORD_RECEIVED =
  'ca.on.passerelle.odsp-employment-record.received' satisfies ContractEventType;

/** The referral request a source record may carry (the same `sources/referral-request.json` in every source). */
export type SourceReferralRequest = NonNullable<OwCaseRecord['referralRequest']>;

/**
 * A source of records referrers send over HTTP (one referral, or a bulk sync): which schema checks
 * it, which raw topic and event type carry it, and whose it is. The gateway's use cases (submit a
 * referral, bulk sync) read a record only through this, so each source is one definition.
 */
export interface SourceDefinition<T = unknown> {
  /** Kind of organization that sends these records (`ow:<agent>`, `odsp:<office>`). */
  orgKind: Extract<OrgKind, 'ow' | 'odsp'>;
  /** Source system of the canonical referral ids (`canonicalReferralId`). */
  system: 'sams' | 'odsp';
  /** The schema file, for messages (`sources/ow-case-record.json`). */
  schemaPath: string;
  schemaId: string;
  /**
   * The schema of the body of the source's referral endpoint, when it is not the source schema
   * itself: the record with its `referralRequest` required and bounds on what HTTP reads.
   */
  referralSchemaPath?: string;
  /** What the record is called in messages ("case record", "employment record"). */
  noun: string;
  topic: ContractTopicName;
  /** The organization code the record belongs to (after `<orgKind>:`), and where it is. */
  owner(record: T): { code: string; pointer: string };
  /** What the owner is called in messages ("delivery agent", "ODSP office"). */
  ownerNoun: string;
  referralRequest(record: T): SourceReferralRequest | undefined;
  /** The CloudEvent produced to `topic` for a valid record. */
  event(record: T): CloudEvent<T>;
}

/** OW case records of a delivery agent (`ow:<agent>`), to `ow.case-records.v1`. */
export const OW_CASE_RECORDS: SourceDefinition<OwCaseRecord> = {
  orgKind: 'ow',
  system: 'sams',
  schemaPath: 'sources/ow-case-record.json',
  schemaId: OW_CASE_RECORD_SCHEMA_ID,
  noun: 'case record',
  topic: 'ow.case-records.v1',
  owner: (record) => ({ code: record.deliveryAgent.code, pointer: '/deliveryAgent/code' }),
  ownerNoun: 'delivery agent',
  referralRequest: (record) => record.referralRequest,
  event: caseRecordEvent,
};

/** ODSP employment records of an ODSP office (`odsp:<office>`), to `odsp.employment-records.v1`. */
export const ODSP_EMPLOYMENT_RECORDS: SourceDefinition<OdspEmploymentRecord> = {
  orgKind: 'odsp',
  system: 'odsp',
  schemaPath: 'sources/odsp-employment-record.json',
  schemaId: ODSP_EMPLOYMENT_RECORD_SCHEMA_ID,
  referralSchemaPath: 'api/odsp-referral-submission.json',
  noun: 'employment record',
  topic: 'odsp.employment-records.v1',
  owner: (record) => ({ code: record.office.code, pointer: '/office/code' }),
  ownerNoun: 'ODSP office',
  referralRequest: (record) => record.referralRequest,
  event: (record) =>
    receivedRecordEvent({
      type: ODSP_EMPLOYMENT_RECORD_RECEIVED,
      recordId: record.sourceRecordId,
      version: record.recordVersion,
      recordedAt: record.recordedAt,
      personKey: record.personal.memberId,
      data: record,
    }),
};

/** The CloudEvent the gateway produces to `ow.case-records.v1` for a validated case record. */
export function caseRecordEvent(record: OwCaseRecord): CloudEvent<OwCaseRecord> {
  return receivedRecordEvent({
    type: OW_CASE_RECORD_RECEIVED,
    recordId: record.sourceRecordId,
    version: record.recordVersion,
    recordedAt: record.recordedAt,
    personKey: record.personal.memberId,
    data: record,
  });
}

/** The organization code of a caller of the source's kind (`ow:ottawa` -> `ottawa`). */
export function ownerCodeOf(source: Pick<SourceDefinition, 'orgKind'>, org: string): string {
  return org.slice(source.orgKind.length + 1);
}
