import {
  SCHEMA_MAJOR_VERSIONS,
  normalizeSchemaId,
  schemaIdForPath,
  schemaIdMajorVersion,
  schemaMajorVersion,
  schemaPathForId,
} from './schema-ids';

const BASE = 'https://schemas.passerelle.ontario.ca/';

describe('schema ids', () => {
  it('put the major version first in the path of every $id', () => {
    expect(schemaIdForPath('canonical/referral.json')).toBe(`${BASE}v1/canonical/referral.json`);
    expect(schemaIdForPath('./common/problem.json')).toBe(`${BASE}v1/common/problem.json`);
    expect(schemaIdForPath('codes\\programs.json#/enum')).toBe(`${BASE}v1/codes/programs.json#/enum`);
    expect(schemaMajorVersion('canonical/referral.json')).toBe(1);
  });

  it('take the major version of a schema from SCHEMA_MAJOR_VERSIONS', () => {
    const majors = SCHEMA_MAJOR_VERSIONS as Record<string, number>;
    majors['canonical/referral.json'] = 2;
    try {
      expect(schemaIdForPath('canonical/referral.json')).toBe(`${BASE}v2/canonical/referral.json`);
      expect(normalizeSchemaId('canonical/referral.json')).toBe(`${BASE}v2/canonical/referral.json`);
    } finally {
      delete majors['canonical/referral.json'];
    }
  });

  it('give back the path and the major version of an id, versioned or not', () => {
    expect(schemaPathForId(`${BASE}v3/sources/ow-case-record.json#/properties/personal`)).toBe(
      'sources/ow-case-record.json',
    );
    expect(schemaPathForId(`${BASE}sources/ow-case-record.json`)).toBe('sources/ow-case-record.json');
    expect(schemaPathForId('https://example.org/x.json')).toBeUndefined();
    expect(schemaIdMajorVersion(`${BASE}v3/sources/ow-case-record.json`)).toBe(3);
    expect(schemaIdMajorVersion(`${BASE}sources/ow-case-record.json`)).toBeUndefined();
  });

  it('normalize paths, unversioned ids (events before versions: major 1) and leave other URIs', () => {
    expect(normalizeSchemaId('common/problem.json')).toBe(`${BASE}v1/common/problem.json`);
    expect(normalizeSchemaId(`${BASE}canonical/referral.json`)).toBe(`${BASE}v1/canonical/referral.json`);
    expect(normalizeSchemaId(`${BASE}v2/canonical/referral.json#/x`)).toBe(`${BASE}v2/canonical/referral.json#/x`);
    expect(normalizeSchemaId('urn:example:thing')).toBe('urn:example:thing');
  });
});
