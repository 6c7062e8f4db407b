import { schemaIdForPath, type OdspEmploymentRecord, type OwCaseRecord } from '@passerelle/contracts';
import type { SourceDefinition } from '@passerelle/translation';
import { mapOdspEmploymentRecord, mapOwCaseRecord } from './mapping';

/**
 * Stand-in `personal` of a record about an erased client (its own cannot be read): schema-valid
 * and about no one, so the record's de-identified events flow; nothing built from it is emitted.
 */
const ERASED_MEMBER = {
  memberId: '00000000',
  name: { givenName: 'erased', familyName: 'erased' },
  birthDate: '1900-01-01',
};

/** OW delivery agents' case records (SAMS), as posted by municipal and DSSAB systems. */
export const owCaseRecordSource: SourceDefinition<OwCaseRecord> = {
  rawType: 'ca.on.passerelle.ow-case-record.received',
  schemaId: schemaIdForPath('sources/ow-case-record.json'),
  system: 'sams',
  describe: (r) => ({
    recordId: r.sourceRecordId,
    version: r.recordVersion,
    recordedAt: r.recordedAt,
    ceSource: `/ow/sams/${r.deliveryAgent.code}`,
  }),
  identities: (r) => [{ system: 'sams', id: r.personal.memberId }],
  map: mapOwCaseRecord,
  erasedPersonal: { ...ERASED_MEMBER, caseId: '0000000' } satisfies OwCaseRecord['personal'],
};

/** ODSP offices' employment-supports records. */
export const odspEmploymentRecordSource: SourceDefinition<OdspEmploymentRecord> = {
  rawType: 'ca.on.passerelle.odsp-employment-record.received',
  schemaId: schemaIdForPath('sources/odsp-employment-record.json'),
  system: 'odsp',
  describe: (r) => ({
    recordId: r.sourceRecordId,
    version: r.recordVersion,
    recordedAt: r.recordedAt,
    ceSource: `/odsp/${r.office.code}`,
  }),
  identities: (r) => [{ system: 'odsp', id: r.personal.memberId }],
  map: mapOdspEmploymentRecord,
  erasedPersonal: ERASED_MEMBER satisfies OdspEmploymentRecord['personal'],
};
