import { schemaRegistry, schemasDir } from '@passerelle/contracts';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import {
  CODE_TABLE_NAMES,
  SOURCE_SYSTEMS,
  codeTable,
  codeTables,
  isCode,
  label,
  mapSourceCode,
  type CodeTableName,
} from './code-tables';
import { sourceCodeFields, sourceCodesOf, unmappedSourceCodes } from './source-codes';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
const isObject = (value: unknown): value is { [key: string]: Json } =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const SOURCE_SCHEMAS = [
  'sources/ow-case-record.json',
  'sources/odsp-employment-record.json',
  'sources/eo-service-record.json',
];

function schemaFiles(folder: string): string[] {
  const dir = join(schemasDir(), folder);
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .map((name) => join(dir, name));
}

/** Every subschema of a schema file, with its JSON pointer. */
function* subschemas(node: Json, pointer = ''): Generator<[string, { [key: string]: Json }]> {
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i += 1) yield* subschemas(node[i], `${pointer}/${i}`);
    return;
  }
  if (!isObject(node)) return;
  yield [pointer, node];
  for (const [key, value] of Object.entries(node)) {
    if (key !== 'examples' && key !== 'enum' && key !== 'const' && !key.startsWith('x-'))
      yield* subschemas(value, `${pointer}/${key}`);
  }
}

describe('code tables (schemas/codes)', () => {
  it('lists exactly the files of schemas/codes', () => {
    const files = schemaFiles('codes').map((file) =>
      relative(join(schemasDir(), 'codes'), file).replace(/\.json$/, ''),
    );
    expect([...CODE_TABLE_NAMES].sort()).toEqual(files.sort());
  });

  it('names the source systems of the source-systems table (plus the gateway API, which has no source codes)', () => {
    expect([...SOURCE_SYSTEMS, 'passerelle-api'].sort()).toEqual([...codeTable('source-systems').codes].sort());
  });

  it.each(CODE_TABLE_NAMES.map((name) => [name]))('%s: unique codes, each with its en and fr labels', (name) => {
    const table = codeTable(name);
    expect(table.codes.length).toBeGreaterThan(0);
    expect(new Set(table.codes).size).toBe(table.codes.length);
    expect(table.entries.map((e) => e.code)).toEqual(table.codes);
    for (const entry of table.entries) {
      for (const lang of ['en', 'fr'] as const) {
        expect({ code: entry.code, lang, label: entry[lang] }).toEqual({
          code: entry.code,
          lang,
          label: expect.stringMatching(/^\S(.*\S)?$/),
        });
      }
      expect(Object.keys(entry).every((key) => ['code', 'en', 'fr', 'description'].includes(key))).toBe(true);
    }
    expect(table.title).toMatch(/^[A-Z][A-Za-z]+$/);
    expect(table.description.length).toBeGreaterThan(20);
  });

  it.each(CODE_TABLE_NAMES.map((name) => [name]))(
    '%s: maps source codes a source record can carry to codes of the table',
    (name) => {
      const table = codeTable(name);
      for (const [system, map] of Object.entries(table.sourceMaps)) {
        for (const [sourceCode, code] of Object.entries(map)) {
          expect({ system, sourceCode, code, isCode: isCode(name, code) }).toEqual({
            system,
            sourceCode,
            code,
            isCode: true,
          });
          expect({
            system,
            sourceCode,
            valid: schemaRegistry().validate('sources/source-code.json', sourceCode).ok,
          }).toEqual({ system, sourceCode, valid: true });
        }
      }
    },
  );

  it('says in its description that invented source codes are invented', () => {
    for (const table of codeTables()) {
      const systems = Object.keys(table.sourceMaps);
      if (systems.length > 0 && table.name !== 'streams')
        expect({ table: table.name, says: /invented/.test(table.description) }).toEqual({
          table: table.name,
          says: true,
        });
    }
  });

  it('is loaded by the schema registry as a schema accepting exactly its codes', () => {
    for (const table of codeTables()) {
      expect(schemaRegistry().has(table.schemaId)).toBe(true);
      for (const code of table.codes) expect(schemaRegistry().validate(table.schemaId, code).ok).toBe(true);
      expect(schemaRegistry().validate(table.schemaId, 'not-a-code')).toEqual({
        ok: false,
        errors: [expect.objectContaining({ pointer: '', code: 'enum' })],
      });
    }
  });

  it('is the one place of its codes: canonical and source schemas $ref the table instead of repeating its enum', () => {
    const referenced = new Set<string>();
    const repeated: string[] = [];
    for (const folder of ['canonical', 'sources', 'common']) {
      for (const file of schemaFiles(folder)) {
        const schema = JSON.parse(readFileSync(file, 'utf8')) as Json;
        for (const [pointer, node] of subschemas(schema)) {
          if (typeof node.$ref === 'string' && node.$ref.includes('/codes/')) {
            const name = node.$ref.replace(/^.*\/codes\//, '').replace(/\.json$/, '');
            expect(CODE_TABLE_NAMES as readonly string[]).toContain(name);
            referenced.add(name);
          }
          // Source schemas carry source codes (never canonical enums) or Passerelle's own protocol
          // values (the provider's accepted / declined); an `if` selecting some codes is a rule,
          // not a second copy of the list.
          if (folder === 'sources' || pointer.includes('/if/') || !Array.isArray(node.enum)) continue;
          for (const table of codeTables()) {
            const values = node.enum.map(String);
            if (values.length >= 2 && values.every((v) => table.codes.includes(v))) {
              repeated.push(`${relative(schemasDir(), file)}#${pointer} repeats codes of ${table.name}`);
            }
          }
        }
      }
    }
    expect(repeated).toEqual([]);
    // Every table is used by a schema (source-only tables through x-code-table).
    const viaSourceFields = SOURCE_SCHEMAS.flatMap((id) => sourceCodeFields(id).fields.map((f) => f.table));
    const unused = CODE_TABLE_NAMES.filter((name) => !referenced.has(name) && !viaSourceFields.includes(name));
    expect(unused).toEqual([]);
  });

  it('gives every canonical concept the table of its source field', () => {
    // Every table named by a source field is also referenced by a canonical schema, so every
    // mapped source code has a canonical field to land in.
    const canonicalRefs = new Set<string>();
    for (const file of schemaFiles('canonical')) {
      for (const [, node] of subschemas(JSON.parse(readFileSync(file, 'utf8')) as Json)) {
        if (typeof node.$ref === 'string' && node.$ref.startsWith('../codes/'))
          canonicalRefs.add(node.$ref.slice('../codes/'.length, -'.json'.length));
      }
    }
    for (const id of SOURCE_SCHEMAS) {
      for (const field of sourceCodeFields(id).fields)
        expect({ field: field.path.join('/'), table: field.table, canonical: canonicalRefs.has(field.table) }).toEqual({
          field: field.path.join('/'),
          table: field.table,
          canonical: true,
        });
    }
  });

  it('has a map for the system of every source schema that carries codes of the table', () => {
    for (const id of SOURCE_SCHEMAS) {
      const { system, fields } = sourceCodeFields(id);
      for (const field of fields) {
        expect({
          schema: id,
          field: field.path.join('/'),
          table: field.table,
          system,
          mapped: codeTable(field.table).sourceMaps[system] !== undefined,
        }).toEqual({
          schema: id,
          field: field.path.join('/'),
          table: field.table,
          system,
          mapped: true,
        });
      }
    }
  });
});

describe('label', () => {
  it('gives the English and the French label of a code', () => {
    expect(label('programs', 'OW', 'en')).toBe('Ontario Works');
    expect(label('programs', 'OW', 'fr')).toBe('Ontario au travail');
    expect(label('programs', 'ODSP', 'fr')).toBe('Programme ontarien de soutien aux personnes handicapées');
    expect(label('streams', 'C', 'fr')).toBe('Volet C');
  });

  it('throws for a code the table does not hold', () => {
    expect(() => label('streams', 'D', 'en')).toThrow('"D" is not a code of code table streams');
    expect(() => codeTable('nope' as CodeTableName)).toThrow(/unknown code table "nope"/);
  });
});

describe('mapSourceCode', () => {
  it('maps a source code to its canonical code', () => {
    expect(mapSourceCode('activities', 'sams', 'JSS')).toEqual({ ok: true, code: 'job-search-support' });
    expect(mapSourceCode('outcome-types', 'cams', 'FU03')).toEqual({ ok: true, code: 'ies-employed-3-months' });
    expect(mapSourceCode('outcome-types', 'odsp', 'M13W')).toEqual({ ok: true, code: 'odsp-13-week-placement' });
  });

  it('never invents a code: an unmapped source code is refused with a reason naming table, system and code', () => {
    expect(mapSourceCode('activities', 'sams', 'XYZ')).toEqual({
      ok: false,
      reason: 'sams code "XYZ" has no mapping in code table activities',
    });
    // A code of another system, or a canonical code, is not a source code of this system.
    expect(mapSourceCode('activities', 'sams', 'JS01').ok).toBe(false);
    expect(mapSourceCode('activities', 'sams', 'job-search-support').ok).toBe(false);
    for (const key of ['constructor', '__proto__', 'toString', 'hasOwnProperty'])
      expect(mapSourceCode('streams', 'cams', key).ok).toBe(false);
  });

  it('refuses a source system the table has no map for', () => {
    expect(mapSourceCode('deferral-reasons', 'cams', 'SSP')).toEqual({
      ok: false,
      reason: 'code table deferral-reasons has no map for source system cams (code "SSP")',
    });
  });
});

describe('source code fields', () => {
  it('reads the coded fields of a source schema, through $refs, with its system', () => {
    const { system, fields } = sourceCodeFields('sources/ow-case-record.json');
    expect(system).toBe('sams');
    expect(fields.map((f) => `${f.path.join('/')}=${f.table}`)).toEqual(
      expect.arrayContaining([
        'programCode=programs',
        'activities/*/activityCode=activities',
        'deferrals/*/reasonCode=deferral-reasons',
        'referralRequest/pathwayCode=referral-pathways',
        'outcomes/*/employment/evidenceTypeCode=evidence-types',
      ]),
    );
    expect(sourceCodeFields('https://schemas.passerelle.ontario.ca/sources/eo-service-record.json').system).toBe(
      'cams',
    );
    expect(() => sourceCodeFields('canonical/referral.json')).toThrow(/has no x-source-system/);
  });

  it('finds the codes of a record, and names field and code of those that do not map', () => {
    const record = {
      programCode: 'OW',
      activities: [{ activityCode: 'JSS' }, { activityCode: 'NOPE' }],
      referralRequest: { pathwayCode: 'ACC', serviceWantedCode: 'ES' },
    };
    expect(sourceCodesOf('sources/ow-case-record.json', record).map((o) => `${o.pointer}=${o.code}`)).toEqual([
      '/activities/0/activityCode=JSS',
      '/activities/1/activityCode=NOPE',
      '/programCode=OW',
      '/referralRequest/pathwayCode=ACC',
      '/referralRequest/serviceWantedCode=ES',
    ]);
    expect(unmappedSourceCodes('sources/ow-case-record.json', record)).toEqual([
      {
        pointer: '/activities/1/activityCode',
        table: 'activities',
        system: 'sams',
        code: 'NOPE',
        reason: '/activities/1/activityCode: sams code "NOPE" has no mapping in code table activities',
      },
    ]);
  });
});
