import { schemaIdForPath, type OdspEmploymentRecord, type OwCaseRecord } from '@passerelle/contracts';
import type { SourceDefinition } from '@passerelle/translation';
import { mapOdspEmploymentRecord, mapOwCaseRecord } from './mapping';

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
};
