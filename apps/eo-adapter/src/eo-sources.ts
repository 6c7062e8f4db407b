import { schemaIdForPath, type EoServiceRecord } from '@passerelle/contracts';
import type { SourceIdentity } from '@passerelle/persistence';
import type { SourceDefinition } from '@passerelle/translation';
import { mapEoServiceRecord } from './mapping';

/** Employment Ontario providers' service records (EOIS-CaMS). */
export const eoServiceRecordSource: SourceDefinition<EoServiceRecord> = {
  rawType: 'ca.on.passerelle.eo-service-record.received',
  schemaId: schemaIdForPath('sources/eo-service-record.json'),
  system: 'cams',
  describe: (r) => ({
    recordId: r.sourceRecordId,
    version: r.recordVersion,
    recordedAt: r.recordedAt,
    ceSource: `/eo/cams/${r.provider.providerId}`,
  }),
  // A CaMS record may also carry the client's OW or ODSP member id: that is what links networks.
  identities: (r) => {
    const ids: SourceIdentity[] = [{ system: 'cams', id: r.personal.clientReferenceNumber }];
    if (r.personal.samsMemberId) ids.push({ system: 'sams', id: r.personal.samsMemberId });
    if (r.personal.odspMemberId) ids.push({ system: 'odsp', id: r.personal.odspMemberId });
    return ids;
  },
  map: mapEoServiceRecord,
  // Stand-in `personal` of a record about an erased client (its own cannot be read): schema-valid
  // and about no one, so the record's de-identified events flow; nothing built from it is emitted.
  erasedPersonal: {
    clientReferenceNumber: '000000000',
    name: { givenName: 'erased', familyName: 'erased' },
    birthDate: '1900-01-01',
  } satisfies EoServiceRecord['personal'],
};
