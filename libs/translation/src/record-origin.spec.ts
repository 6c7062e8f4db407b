import type { SourceDefinition } from './source-record-translator';
import { recordOrigin } from './source-record-translator';

const definition = (ceSource: string): SourceDefinition<unknown> =>
  ({
    system: 'cams',
    describe: () => ({ recordId: 'EO-SR-1', version: 2, recordedAt: '2025-10-14T16:45:00-04:00', ceSource }),
  }) as unknown as SourceDefinition<unknown>;

describe('recordOrigin (whose record it is, for the links and conflicts it makes)', () => {
  it('names the organization of the record by its ce_source, as every event of the record does', () => {
    expect(recordOrigin(definition('/ow/sams/greater-sudbury'), {})).toEqual({
      org: 'ow:greater-sudbury',
      system: 'cams',
      recordId: 'EO-SR-1',
      recordedAt: '2025-10-14T16:45:00-04:00',
    });
    expect(recordOrigin(definition('/odsp/central'), {}).org).toBe('odsp:central');
    expect(recordOrigin(definition('/eo/cams/provider-7'), {}).org).toBe('eo:provider-7');
  });

  it('refuses a ce_source that names no organization', () => {
    expect(() => recordOrigin(definition('/eo'), {})).toThrow('names no organization');
  });
});
