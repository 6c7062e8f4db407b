import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isJsonObject, resolvePointer, type JsonObject, type JsonValue } from './json';
import { loadAsyncApiDocument, loadOpenApiDocument } from './openapi-document';
import { schemaIdForPath } from './schema-ids';

/** Every `$ref` value under `node`. */
function refsOf(node: JsonValue): string[] {
  if (Array.isArray(node)) return node.flatMap(refsOf);
  if (!isJsonObject(node)) return [];
  return Object.entries(node).flatMap(([key, value]) =>
    key === '$ref' && typeof value === 'string' ? [value] : refsOf(value),
  );
}

function unresolved(document: JsonObject): string[] {
  return refsOf(document).filter(
    (ref) => !ref.startsWith('#') || resolvePointer(document, decodeURI(ref.slice(1))) === undefined,
  );
}

describe('loadOpenApiDocument', () => {
  const document = loadOpenApiDocument();

  it('is an OpenAPI 3.1 document with the operations endpoints under /v1', () => {
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths).sort()).toEqual([
      '/v1/alerts',
      '/v1/alerts/{alertId}/acknowledge',
      '/v1/audit',
      '/v1/clients/conflicts',
      '/v1/clients/conflicts/{conflictId}/resolve',
      '/v1/clients/{clientId}/consent/withdraw',
      '/v1/clients/{clientId}/erase',
      '/v1/dashboard',
      '/v1/docs',
      '/v1/docs/openapi.json',
      '/v1/health/live',
      '/v1/health/ready',
      '/v1/metrics',
      '/v1/odsp/employment-records:batch',
      '/v1/odsp/referrals',
      '/v1/ow/case-records:batch',
      '/v1/problems',
      '/v1/problems/{code}',
      '/v1/provider/follow-ups',
      '/v1/provider/referrals',
      '/v1/provider/referrals/{referralId}/accept',
      '/v1/provider/referrals/{referralId}/cancel',
      '/v1/provider/referrals/{referralId}/decline',
      '/v1/provider/referrals/{referralId}/no-show',
      '/v1/provider/referrals/{referralId}/on-hold',
      '/v1/provider/referrals/{referralId}/resume',
      '/v1/provider/service-records',
      '/v1/referrals',
      '/v1/referrals/{referralId}',
      '/v1/referrals/{referralId}/cancel',
      '/v1/referrals/{referralId}/entered-in-error',
      '/v1/referrals/{referralId}/history',
      '/v1/referrals/{referralId}/outcomes',
      '/v1/reports/outcomes',
      '/v1/webhooks',
      '/v1/webhooks/{webhookId}',
      '/v1/webhooks/{webhookId}/deliveries',
    ]);
  });

  it('leaves no external $ref, and every internal $ref resolves', () => {
    expect(refsOf(document).length).toBeGreaterThan(5);
    expect(unresolved(document)).toEqual([]);
  });

  it('inlines each schema file once under its component name, without $id / $schema', () => {
    const schemas = document.components.schemas;
    // The components openapi.yaml names, plus one per schema file they reach (code tables, parts).
    const declared = [
      'CloudEventHeaders',
      'DlqHeaders',
      'HealthCheck',
      'HealthReport',
      'Problem',
      'OwCaseRecord',
      'EoServiceRecord',
      'Referral',
      'Consent',
    ];
    expect(Object.keys(schemas)).toEqual(expect.arrayContaining(declared));
    const ids = new Set(Object.values(schemas).map((schema) => JSON.stringify(schema)));
    expect(ids.size).toBe(Object.keys(schemas).length); // each file inlined once
    for (const schema of Object.values(schemas)) {
      expect(isJsonObject(schema) && ('$id' in schema || '$schema' in schema)).toBe(false);
    }
    expect(
      resolvePointer(document, '/components/schemas/Problem/properties/errors/items/properties/pointer/format'),
    ).toBe('json-pointer');
    // health.json's relative refs to ./health-check.json now point at the HealthCheck component.
    expect(resolvePointer(document, '/components/schemas/HealthReport/properties/checks/properties/kafka/$ref')).toBe(
      '#/components/schemas/HealthCheck',
    );
    expect(
      resolvePointer(document, '/components/responses/Problem/content/application~1problem+json/schema/$ref'),
    ).toBe('#/components/schemas/Problem');
  });

  it('returns a fresh object on every call', () => {
    const again = loadOpenApiDocument();
    expect(again).toEqual(document);
    expect(again).not.toBe(document);
  });

  describe('bundling other references', () => {
    let dir: string;
    const write = (path: string, content: JsonValue | string) => {
      mkdirSync(join(dir, path, '..'), { recursive: true });
      writeFileSync(join(dir, path), typeof content === 'string' ? content : JSON.stringify(content, null, 2));
    };
    const schemaFile = (path: string, body: JsonObject): JsonObject => ({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      $id: schemaIdForPath(path),
      ...body,
    });

    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'contracts-bundle-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('names files by component, title or file name, and rewrites fragments, $id and nested refs', () => {
      write(
        'x/thing.json',
        schemaFile('x/thing.json', {
          title: 'Thing',
          type: 'object',
          properties: {
            part: { $ref: '#/$defs/part' },
            other: { $ref: '../other-thing.json' },
            self: { $ref: '#' },
          },
          $defs: { part: { type: 'string' } },
        }),
      );
      write(
        'other-thing.json',
        schemaFile('other-thing.json', {
          type: 'object',
          properties: { back: { $ref: 'https://schemas.passerelle.ontario.ca/x/thing.json#/$defs/part' } },
        }),
      );
      write('named.json', schemaFile('named.json', { title: 'Ignored', type: 'string' }));
      write(
        'openapi.yaml',
        [
          'openapi: 3.1.0',
          'info: { title: t, version: "1" }',
          'paths:',
          '  /a:',
          '    get:',
          '      responses:',
          "        '200':",
          '          description: ok',
          '          content:',
          '            application/json:',
          "              schema: { $ref: './x/thing.json' }",
          '            text/plain:',
          "              schema: { $ref: './x/thing.json#/$defs/part' }",
          'components:',
          '  schemas:',
          "    Named: { $ref: './named.json', description: 'overrides' }",
          "    Alias: { $ref: './named.json' }",
          '    Local: { type: integer }',
        ].join('\n'),
      );

      const bundled = loadOpenApiDocument({ dir });
      expect(unresolved(bundled)).toEqual([]);
      expect(refsOf(bundled).every((ref) => ref.startsWith('#/components/schemas/'))).toBe(true);
      const schemas = bundled.components.schemas;
      expect(Object.keys(schemas).sort()).toEqual(['Alias', 'Local', 'Named', 'OtherThing', 'Thing']);
      expect(schemas.Named).toEqual({ title: 'Ignored', type: 'string', description: 'overrides' });
      expect(schemas.Alias).toEqual({ $ref: '#/components/schemas/Named' });
      expect(schemas.Thing).toEqual({
        title: 'Thing',
        type: 'object',
        properties: {
          part: { $ref: '#/components/schemas/Thing/$defs/part' },
          other: { $ref: '#/components/schemas/OtherThing' },
          self: { $ref: '#/components/schemas/Thing' },
        },
        $defs: { part: { type: 'string' } },
      });
      expect(schemas.OtherThing).toEqual({
        type: 'object',
        properties: { back: { $ref: '#/components/schemas/Thing/$defs/part' } },
      });
      expect(resolvePointer(bundled, '/paths/~1a/get/responses/200/content/text~1plain/schema')).toEqual({
        $ref: '#/components/schemas/Thing/$defs/part',
      });
    });

    it('refuses references it cannot inline', () => {
      write(
        'openapi.yaml',
        "openapi: 3.1.0\ninfo: { title: t, version: '1' }\npaths: {}\ncomponents:\n  schemas:\n    X: { $ref: 'https://example.org/x.json' }\n",
      );
      expect(() => loadOpenApiDocument({ dir })).toThrow(/cannot bundle https:\/\/example\.org\/x\.json/);
      write('openapi.yaml', 'asyncapi: 3.0.0\n');
      expect(() => loadOpenApiDocument({ dir })).toThrow(/is not an OpenAPI document/);
    });
  });
});

describe('loadAsyncApiDocument', () => {
  it('parses schemas/asyncapi.yaml', () => {
    const document = loadAsyncApiDocument();
    expect(document.asyncapi).toBe('3.0.0');
    expect(Object.keys(document.channels).length).toBeGreaterThan(0);
  });
});
