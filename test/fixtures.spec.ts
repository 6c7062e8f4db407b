import { schemaRegistry, schemasDir, type FieldError } from '@passerelle/contracts';
import { codeTable, CODE_TABLE_NAMES, sourceCodeFields, sourceCodesOf, unmappedSourceCodes } from '@passerelle/codes';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// Golden source records (test/fixtures/sources): every valid one validates against its source
// schema and maps all its codes; together they use every source code of every code table; each
// invalid one fails exactly where it says; each unmapped one is schema-valid but names the codes
// that would send it to the DLQ.
const FIXTURES = join(__dirname, 'fixtures', 'sources');
const SOURCES = ['ow-case-record', 'odsp-employment-record', 'eo-service-record'] as const;

interface Fixture {
  name: string;
  record: Record<string, unknown>;
}

/** A record that must fail, with where: `expect` lists every `{ pointer, code }` reported. */
interface ExpectationFile {
  schema: string;
  description: string;
  expect: Array<Pick<FieldError, 'pointer' | 'code'>>;
  record: Record<string, unknown>;
}

const schemaOf = (source: string) => `sources/${source}.json`;

function validFixtures(source: string): Fixture[] {
  const dir = join(FIXTURES, source);
  const fixtures: Fixture[] = readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => ({
      name: `${source}/${file}`,
      record: JSON.parse(readFileSync(join(dir, file), 'utf8')) as Record<string, unknown>,
    }));
  // A delivery partner's export: one record per line.
  const exportFile = join(FIXTURES, `${source}.ndjson`);
  if (existsSync(exportFile)) {
    readFileSync(exportFile, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (line.trim() !== '')
          fixtures.push({ name: `${source}.ndjson:${i + 1}`, record: JSON.parse(line) as Record<string, unknown> });
      });
  }
  return fixtures;
}

function expectationFiles(folder: 'invalid' | 'unmapped'): Array<[string, ExpectationFile]> {
  const dir = join(FIXTURES, folder);
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => [`${folder}/${file}`, JSON.parse(readFileSync(join(dir, file), 'utf8')) as ExpectationFile]);
}

/** Any character beyond ASCII (accents are what the fixtures must exercise). */
const hasAccent = (text: string) => /\P{ASCII}/u.test(text);
const byPointer = (a: { pointer: string; code: string }, b: { pointer: string; code: string }) =>
  `${a.pointer} ${a.code}`.localeCompare(`${b.pointer} ${b.code}`);

describe('source fixtures', () => {
  describe.each(SOURCES.map((source) => [source]))('%s', (source) => {
    const fixtures = validFixtures(source);

    it.each(fixtures.map((f) => [f.name, f]))('%s validates and maps every code', (_name, fixture) => {
      expect(schemaRegistry().validate(schemaOf(source), fixture.record)).toEqual({ ok: true, value: fixture.record });
      expect(unmappedSourceCodes(schemaOf(source), fixture.record)).toEqual([]);
    });

    it('has distinct record versions, French names with accents, and a record with only the required fields', () => {
      const keys = fixtures.map((f) => `${String(f.record.sourceRecordId)}@${String(f.record.recordVersion)}`);
      expect(new Set(keys).size).toBe(keys.length);
      const names = fixtures.map((f) => JSON.stringify((f.record.personal as Record<string, unknown>).name));
      expect(names.filter(hasAccent).length).toBeGreaterThanOrEqual(2);
      const schema = JSON.parse(readFileSync(join(schemasDir(), schemaOf(source)), 'utf8')) as { required: string[] };
      expect(fixtures.some((f) => Object.keys(f.record).sort().join() === [...schema.required].sort().join())).toBe(
        true,
      );
    });

    it('together use every source code of every code table mapping this source', () => {
      const { system, fields } = sourceCodeFields(schemaOf(source));
      const used = new Map<string, Set<string>>();
      for (const fixture of fixtures) {
        for (const occurrence of sourceCodesOf(schemaOf(source), fixture.record)) {
          if (!used.has(occurrence.table)) used.set(occurrence.table, new Set());
          used.get(occurrence.table)!.add(occurrence.code);
        }
      }
      const tables = new Set(fields.map((f) => f.table));
      const missing: string[] = [];
      for (const name of CODE_TABLE_NAMES) {
        const map = codeTable(name).sourceMaps[system];
        if (map === undefined) continue;
        // A table mapping this system's codes must be carried by a field of this source.
        expect({ table: name, carried: tables.has(name) }).toEqual({ table: name, carried: true });
        for (const code of Object.keys(map)) if (!used.get(name)?.has(code)) missing.push(`${name}: ${code}`);
      }
      expect(missing).toEqual([]);
    });
  });

  describe('invalid records', () => {
    const files = expectationFiles('invalid');

    it('cover each source', () => {
      for (const source of SOURCES) expect(files.some(([, f]) => f.schema === schemaOf(source))).toBe(true);
    });

    it.each(files)('%s fails where it says', (_name, file) => {
      const result = schemaRegistry().validate(file.schema, file.record);
      expect(result.ok).toBe(false);
      const errors = result.ok ? [] : result.errors.map(({ pointer, code }) => ({ pointer, code }));
      expect(errors.sort(byPointer)).toEqual([...file.expect].sort(byPointer));
    });
  });

  describe('records with unmapped source codes', () => {
    it.each(expectationFiles('unmapped'))(
      '%s is schema-valid and names each unmapped field and code',
      (_name, file) => {
        expect(schemaRegistry().validate(file.schema, file.record).ok).toBe(true);
        const unmapped = unmappedSourceCodes(file.schema, file.record);
        expect(unmapped.map(({ pointer, code }) => ({ pointer, code })).sort(byPointer)).toEqual(
          [...file.expect].sort(byPointer),
        );
        for (const u of unmapped) expect(u.reason).toContain(`${u.pointer}: ${u.system} code "${u.code}"`);
      },
    );
  });
});
