import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { isJsonObject, type JsonObject, type JsonValue } from './json';
import { SCHEMA_BASE_URL, SCHEMA_MAJOR_VERSIONS, SchemaIds, schemaIdForPath } from './schema-ids';
import { SchemaRegistry, SchemaValidationError, schemaRegistry, type FieldError } from './schema-registry';
import { RELEASED_SNAPSHOT_DIR, schemasDir } from './schemas-dir';

const SCHEMAS = join(__dirname, '..', '..', '..', 'schemas');

/** The schema files of the live contract: every `*.json` under `dir` but the released snapshot. */
function jsonFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? dir === SCHEMAS && entry.name === RELEASED_SNAPSHOT_DIR
        ? []
        : jsonFiles(join(dir, entry.name))
      : entry.name.endsWith('.json')
        ? [join(dir, entry.name)]
        : [],
  );
}

function errorsOf(schemaId: string, data: unknown): FieldError[] {
  const result = schemaRegistry().validate(schemaId, data);
  if (result.ok) throw new Error(`expected ${JSON.stringify(data)} to be invalid against ${schemaId}`);
  return result.errors;
}

const validCeHeaders = {
  ce_specversion: '1.0',
  ce_id: 'ow:toronto:case-123:v4',
  ce_source: '/passerelle/gateway',
  ce_type: 'ca.on.passerelle.referral.submitted',
  ce_time: '2025-03-14T15:09:26Z',
  'content-type': 'application/json',
};

describe('SchemaRegistry', () => {
  it('finds the repository schemas/ folder', () => {
    expect(schemasDir()).toBe(SCHEMAS);
  });

  it('loads and compiles every *.json file under schemas/, each with the $id mirroring its path', () => {
    const files = jsonFiles(SCHEMAS);
    expect(files.length).toBeGreaterThanOrEqual(5);
    const expected = files.map((file) => schemaIdForPath(relative(SCHEMAS, file).split(sep).join('/'))).sort();
    expect(schemaRegistry().schemaIds()).toEqual(expected);
    for (const file of files) {
      const schema = JSON.parse(readFileSync(file, 'utf8')) as JsonObject;
      expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
      expect((schema.$id as string).startsWith(SCHEMA_BASE_URL)).toBe(true);
      // Validating runs the compiled function: it must not throw for any input.
      expect(() => schemaRegistry().validate(schema.$id as string, {})).not.toThrow();
    }
  });

  it('gives every property a description', () => {
    const missing: string[] = [];
    const visit = (node: JsonValue, where: string): void => {
      if (Array.isArray(node)) {
        node.forEach((item, i) => visit(item, `${where}/${i}`));
        return;
      }
      if (!isJsonObject(node)) return;
      if (isJsonObject(node.properties)) {
        for (const [name, property] of Object.entries(node.properties)) {
          if (!isJsonObject(property) || typeof property.description !== 'string')
            missing.push(`${where}/properties/${name}`);
        }
      }
      for (const [key, value] of Object.entries(node)) if (key !== 'examples') visit(value, `${where}/${key}`);
    };
    for (const file of jsonFiles(SCHEMAS))
      visit(JSON.parse(readFileSync(file, 'utf8')) as JsonValue, relative(SCHEMAS, file));
    expect(missing).toEqual([]);
  });

  it('accepts the examples given inside the schema files', () => {
    let checked = 0;
    const visit = (node: JsonValue, id: string, pointer: string): void => {
      if (Array.isArray(node)) {
        node.forEach((item, i) => visit(item, id, `${pointer}/${i}`));
        return;
      }
      if (!isJsonObject(node)) return;
      if (Array.isArray(node.examples)) {
        for (const example of node.examples) {
          expect({ at: `${id}#${pointer}`, result: schemaRegistry().validate(`${id}#${pointer}`, example) }).toEqual({
            at: `${id}#${pointer}`,
            result: { ok: true, value: example },
          });
          checked += 1;
        }
      }
      for (const [key, value] of Object.entries(node)) if (key !== 'examples') visit(value, id, `${pointer}/${key}`);
    };
    for (const file of jsonFiles(SCHEMAS)) {
      const schema = JSON.parse(readFileSync(file, 'utf8')) as JsonObject;
      visit(schema, schema.$id as string, '');
    }
    expect(checked).toBeGreaterThan(10);
  });

  it('accepts every example of openapi.yaml whose media type references a schema file', () => {
    const document = parseYaml(readFileSync(join(SCHEMAS, 'openapi.yaml'), 'utf8')) as JsonObject;
    const components = document.components as JsonObject;
    const componentSchemas = components.schemas as JsonObject;
    const schemaIdOf = (schema: JsonValue): string | undefined => {
      if (!isJsonObject(schema) || typeof schema.$ref !== 'string') return undefined;
      let ref = schema.$ref;
      if (ref.startsWith('#/components/schemas/')) {
        const target = componentSchemas[ref.slice('#/components/schemas/'.length)];
        if (!isJsonObject(target) || typeof target.$ref !== 'string') return undefined;
        ref = target.$ref;
      }
      return ref.startsWith('#') ? undefined : schemaIdForPath(ref);
    };
    const checked: string[] = [];
    const visit = (node: JsonValue, where: string): void => {
      if (Array.isArray(node)) {
        node.forEach((item, i) => visit(item, `${where}/${i}`));
        return;
      }
      if (!isJsonObject(node)) return;
      if (isJsonObject(node.content)) {
        for (const [mediaType, media] of Object.entries(node.content)) {
          if (!isJsonObject(media)) continue;
          const schemaId = schemaIdOf(media.schema);
          if (schemaId === undefined) continue;
          const examples = isJsonObject(media.examples) ? Object.entries(media.examples) : [];
          for (const [name, example] of examples) {
            const value = isJsonObject(example) ? example.value : undefined;
            const at = `${where}/content/${mediaType}/examples/${name}`;
            // An NDJSON schema describes one line: each line of the example is one value.
            const values =
              mediaType === 'application/x-ndjson' && typeof value === 'string'
                ? value
                    .split('\n')
                    .filter(Boolean)
                    .map((line) => JSON.parse(line) as JsonValue)
                : [value];
            for (const one of values) {
              expect({ at, result: schemaRegistry().validate(schemaId, one) }).toEqual({
                at,
                result: { ok: true, value: one },
              });
            }
            checked.push(at);
          }
        }
      }
      for (const [key, value] of Object.entries(node)) visit(value, `${where}/${key}`);
    };
    visit(document, '');
    // Every body has examples (openapi-examples.spec.ts checks them against the bundled
    // document); here, those whose schema is a file, against the registry the gateway uses.
    expect(checked.length).toBeGreaterThan(30);
    expect(checked.some((at) => at.includes('503'))).toBe(true);
    expect(checked.some((at) => at.includes('application/problem+json'))).toBe(true);
  });

  it('returns the value when the data is valid', () => {
    const report = { status: 'ok', checks: { kafka: { status: 'up' }, postgres: { status: 'up' } } };
    const result = schemaRegistry().validate<{ status: string }>(SchemaIds.health, report);
    expect(result).toEqual({ ok: true, value: report });
    if (result.ok) expect(result.value).toBe(report);
  });

  it('points at a missing required property', () => {
    expect(errorsOf(SchemaIds.health, { status: 'ok' })).toEqual([
      { pointer: '/checks', code: 'required', message: 'is required' },
    ]);
    expect(
      errorsOf(SchemaIds.problem, {
        type: 'about:blank',
        title: 'Bad',
        status: 400,
        errors: [{ code: 'x', message: 'y' }],
      }),
    ).toEqual([{ pointer: '/errors/0/pointer', code: 'required', message: 'is required' }]);
  });

  it('points at a value of the wrong type', () => {
    expect(errorsOf(SchemaIds.problem, { type: 'about:blank', title: 'Bad', status: '400' })).toEqual([
      { pointer: '/status', code: 'type', message: 'must be integer' },
    ]);
  });

  it('points at a property that is not allowed, escaping its name', () => {
    expect(
      errorsOf(SchemaIds.health, { status: 'ok', checks: { kafka: { status: 'up', latency: 3 } }, 'a/b~c': 1 }),
    ).toEqual([
      { pointer: '/a~1b~0c', code: 'additionalProperties', message: 'is not allowed' },
      { pointer: '/checks/kafka/latency', code: 'additionalProperties', message: 'is not allowed' },
    ]);
  });

  it('points at a value with a bad format, and reports every error at once', () => {
    expect(
      errorsOf(SchemaIds.cloudEventHeaders, { ...validCeHeaders, ce_time: 'yesterday', ce_dataschema: 'not a uri' }),
    ).toEqual([
      { pointer: '/ce_time', code: 'format', message: 'must match format "date-time"' },
      { pointer: '/ce_dataschema', code: 'format', message: 'must match format "uri"' },
    ]);
  });

  it('explains enum, const and pattern failures, and points at an invalid property name', () => {
    expect(
      errorsOf(SchemaIds.cloudEventHeaders, { ...validCeHeaders, ce_specversion: '0.3', ce_type: 'referral.accepted' }),
    ).toEqual([
      { pointer: '/ce_specversion', code: 'const', message: 'must be "1.0"' },
      {
        pointer: '/ce_type',
        code: 'pattern',
        message: 'must match pattern "^ca\\.on\\.passerelle\\.[a-z-]+(\\.[a-z-]+)+$"',
      },
    ]);
    expect(errorsOf(SchemaIds.health, { status: 'fine', checks: { Kafka: { status: 'up' } } })).toEqual([
      { pointer: '/status', code: 'enum', message: 'must be one of: "ok", "error"' },
      { pointer: '/checks/Kafka', code: 'pattern', message: 'must match pattern "^[a-z][a-z0-9-]*$"' },
    ]);
  });

  it('accepts a path relative to schemas/ and a fragment as schema id', () => {
    expect(schemaRegistry().validate('common/health-check.json', { status: 'down', detail: 'timeout' }).ok).toBe(true);
    expect(schemaRegistry().validate(`${SchemaIds.problem}#/properties/status`, 99)).toEqual({
      ok: false,
      errors: [{ pointer: '', code: 'minimum', message: 'must be >= 100' }],
    });
  });

  it('throws a clear error for an unknown schema id', () => {
    expect(() => schemaRegistry().validate('https://schemas.passerelle.ontario.ca/nope.json', {})).toThrow(
      /Unknown schema id "https:\/\/schemas\.passerelle\.ontario\.ca\/nope\.json"/,
    );
    expect(() => schemaRegistry().validate('common/nope.json', {})).toThrow(/Unknown schema id/);
    expect(() => schemaRegistry().validate(`${SchemaIds.problem}#/properties/nope`, {})).toThrow(/Unknown schema id/);
  });

  it('assert returns valid data and throws a SchemaValidationError carrying the field errors', () => {
    const check = { status: 'up' };
    expect(schemaRegistry().assert(SchemaIds.healthCheck, check)).toBe(check);
    let thrown: unknown;
    try {
      schemaRegistry().assert(SchemaIds.healthCheck, { status: 'sideways' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(SchemaValidationError);
    expect((thrown as SchemaValidationError).errors).toEqual([
      { pointer: '/status', code: 'enum', message: 'must be one of: "up", "down"' },
    ]);
    expect((thrown as Error).message).toContain('/status must be one of');
  });

  it('accepts a dead-lettered record headers against both header schemas', () => {
    const headers = {
      ...validCeHeaders,
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      dlq_original_topic: 'referrals.v1',
      dlq_original_partition: '0',
      dlq_original_offset: '42',
      dlq_error: 'illegal transition: completed -> accepted',
      dlq_error_name: 'IllegalTransitionError',
      dlq_error_code: 'HANDLER_FAILED',
      dlq_attempts: '3',
      dlq_failed_at: '2025-03-14T15:09:26.123Z',
    };
    expect(schemaRegistry().validate(SchemaIds.cloudEventHeaders, headers).ok).toBe(true);
    expect(schemaRegistry().validate(SchemaIds.dlqHeaders, headers).ok).toBe(true);
    expect(errorsOf(SchemaIds.dlqHeaders, { ...headers, dlq_attempts: '0', dlq_original_offset: 42 })).toEqual([
      { pointer: '/dlq_original_offset', code: 'type', message: 'must be string' },
      { pointer: '/dlq_attempts', code: 'pattern', message: 'must match pattern "^[1-9][0-9]*$"' },
    ]);
  });

  it('is a lazily created singleton', () => {
    expect(schemaRegistry()).toBe(schemaRegistry());
  });

  describe('with another schemas folder', () => {
    let dir: string;
    const write = (path: string, content: unknown) => {
      mkdirSync(join(dir, path, '..'), { recursive: true });
      writeFileSync(join(dir, path), typeof content === 'string' ? content : JSON.stringify(content));
    };
    const schema = (path: string, body: JsonObject): JsonObject => ({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      $id: schemaIdForPath(path),
      ...body,
    });

    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'contracts-registry-'));
    });
    afterEach(() => {
      rmSync(dir, { recursive: true, force: true });
      delete process.env.SCHEMAS_DIR;
    });

    it('is found through SCHEMAS_DIR and resolves relative $refs between files by $id', () => {
      write(
        'a/b.json',
        schema('a/b.json', { type: 'object', properties: { c: { $ref: '../c.json', description: 'c' } } }),
      );
      write('c.json', schema('c.json', { type: 'string', minLength: 2 }));
      process.env.SCHEMAS_DIR = dir;
      expect(schemasDir()).toBe(dir);
      const registry = new SchemaRegistry();
      expect(registry.schemaIds()).toEqual([schemaIdForPath('a/b.json'), schemaIdForPath('c.json')]);
      expect(registry.validate('a/b.json', { c: 'x' })).toEqual({
        ok: false,
        errors: [{ pointer: '/c', code: 'minLength', message: 'must NOT have fewer than 2 characters' }],
      });
    });

    it('finds a schema by its versioned $id, its path and its unversioned $id, and skips released/', () => {
      write('a/b.json', schema('a/b.json', { type: 'string', minLength: 2 }));
      // The snapshot of the last release holds the same $ids: it is not part of the live contract.
      write('released/a/b.json', schema('a/b.json', { type: 'string' }));
      const registry = new SchemaRegistry({ dir });
      expect(registry.schemaIds()).toEqual(['https://schemas.passerelle.ontario.ca/v1/a/b.json']);
      for (const id of [
        'https://schemas.passerelle.ontario.ca/v1/a/b.json',
        'a/b.json',
        // the ce_dataschema of events produced before ids carried a version
        'https://schemas.passerelle.ontario.ca/a/b.json',
      ]) {
        expect(registry.has(id)).toBe(true);
        expect(registry.validate(id, 'x').ok).toBe(false);
      }
      expect(registry.has('https://schemas.passerelle.ontario.ca/v2/a/b.json')).toBe(false);
    });

    it('resolves relative $refs between files of different major versions', () => {
      const majors = SCHEMA_MAJOR_VERSIONS as Record<string, number>;
      majors['a/b.json'] = 2;
      try {
        write('a/b.json', schema('a/b.json', { type: 'object', properties: { c: { $ref: '../c.json' } } }));
        write('c.json', schema('c.json', { type: 'string', minLength: 2 }));
        const registry = new SchemaRegistry({ dir });
        expect(registry.schemaIds()).toEqual([
          'https://schemas.passerelle.ontario.ca/v1/c.json',
          'https://schemas.passerelle.ontario.ca/v2/a/b.json',
        ]);
        expect(registry.validate('a/b.json', { c: 'x' }).ok).toBe(false);
        expect(registry.validate('a/b.json', { c: 'xy' }).ok).toBe(true);
        expect(registry.has('https://schemas.passerelle.ontario.ca/v2/c.json')).toBe(false);
        expect(registry.has('https://schemas.passerelle.ontario.ca/v1/a/b.json')).toBe(false);
      } finally {
        delete majors['a/b.json'];
      }
    });

    it('refuses SCHEMAS_DIR naming no folder', () => {
      process.env.SCHEMAS_DIR = join(dir, 'missing');
      expect(() => schemasDir()).toThrow(/SCHEMAS_DIR=.* is not a directory/);
    });

    it('refuses a file whose $id does not mirror its path', () => {
      write('x.json', schema('y.json', { type: 'string' }));
      expect(() => new SchemaRegistry({ dir })).toThrow(
        'schemas/x.json must be a JSON Schema whose $id is "https://schemas.passerelle.ontario.ca/v1/x.json"',
      );
    });

    it('refuses a file that is not JSON', () => {
      write('x.json', '{ nope');
      expect(() => new SchemaRegistry({ dir })).toThrow(/schemas\/x\.json is not valid JSON/);
    });

    it('fails at construction on a dangling $ref or a strict-mode violation', () => {
      write('x.json', schema('x.json', { $ref: './missing.json' }));
      expect(() => new SchemaRegistry({ dir })).toThrow(
        /schema https:\/\/schemas\.passerelle\.ontario\.ca\/v1\/x\.json does not compile/,
      );
      write('x.json', schema('x.json', { type: 'string', colour: 'blue' }));
      expect(() => new SchemaRegistry({ dir })).toThrow(/unknown keyword: "colour"/);
    });
  });
});
