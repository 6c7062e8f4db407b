import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { mintDevToken } from '@passerelle/auth';
import { RELEASED_SNAPSHOT_DIR, schemaIdForPath, schemaRegistry } from '@passerelle/contracts';
import { readFixture } from '../support/client-path';
import { endpointsOf, STRANGERS, type Endpoint } from '../support/gateway-endpoints';
import { useGatewayStack } from '../support/gateway-stack';
import { testKafka } from '../support/kafka';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Schema = { [key: string]: Json };

const SCHEMAS = resolve(__dirname, '..', '..', 'schemas');
const jsonFiles = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) =>
    statSync(join(dir, name)).isDirectory()
      ? dir === SCHEMAS && name === RELEASED_SNAPSHOT_DIR
        ? [] // the snapshot of the last release, not the live contract
        : jsonFiles(join(dir, name))
      : name.endsWith('.json')
        ? [join(dir, name)]
        : [],
  );
/** Every schema file by its `$id`, to follow `$ref`s the way Ajv does. */
const byId = new Map(
  jsonFiles(SCHEMAS).map((file) => {
    const s = JSON.parse(readFileSync(file, 'utf8')) as Schema;
    return [typeof s.$id === 'string' ? s.$id : file, s] as const;
  }),
);

/** A schema with its `$ref` followed (siblings kept), and the id the next relative `$ref` resolves against. */
function deref(schema: Schema, base: string): { schema: Schema; base: string } {
  if (typeof schema.$ref !== 'string') return { schema, base };
  const [file, fragment = ''] = new URL(schema.$ref, base).href.split('#');
  let target = byId.get(file) as Json;
  for (const part of fragment.split('/').filter(Boolean)) target = (target as Record<string, Json>)[part];
  const { $ref: _ref, ...siblings } = schema;
  return deref({ ...(target as Schema), ...siblings }, file);
}

/** One invalid body and the field its refusal must name. */
interface Mutation {
  what: string;
  body: Json;
  pointer: string;
}

const INJECTION = `'; DROP TABLE referral; -- <script>alert(1)</script> {{7*7}} \${process.exit()}`;
const clone = (value: Json): Json => JSON.parse(JSON.stringify(value)) as Json;
function withValue(
  body: Json,
  path: string[],
  change: (parent: Record<string, Json> | Json[], key: string) => void,
): Json {
  const copy = clone(body);
  let node = copy as Record<string, Json>;
  for (const part of path.slice(0, -1)) node = node[part] as Record<string, Json>;
  change(node, path[path.length - 1]);
  return copy;
}
const pointerOf = (path: string[]): string =>
  path.map((p) => `/${p.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');

/**
 * Invalid variants of a valid body, generated from its schema: each required field missing, each
 * field of the wrong type, each date not a date, each code not in its table, each patterned id
 * holding an injection string, each bounded string one character too long.
 */
function mutationsOf(
  body: Json,
  schemaIn: Schema,
  base: string,
  path: string[] = [],
  out: Mutation[] = [],
): Mutation[] {
  const { schema, base: at } = deref(schemaIn, base);
  const value = path.reduce<Json>((node, key) => (node as Record<string, Json>)[key], body);
  const set = (what: string, replacement: Json) =>
    out.push({
      what: `${pointerOf(path)}: ${what}`,
      body: withValue(body, path, (parent, key) => {
        (parent as Record<string, Json>)[key] = replacement;
      }),
      pointer: pointerOf(path),
    });
  if (Array.isArray(schema.oneOf)) {
    const branch = (schema.oneOf as Schema[]).find((b) => {
      const d = deref(b, at);
      return schemaRegistry().validate(typeof d.schema.$id === 'string' ? d.schema.$id : d.base, value).ok;
    });
    return branch ? mutationsOf(body, branch, at, path, out) : out;
  }
  if (path.length > 0 && (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')) {
    set('wrong type', typeof value === 'string' ? 12345 : 'not-a-number');
  }
  if (typeof value === 'string') {
    if (schema.format === 'date' || schema.format === 'date-time') set('not a date', '31/02/2025');
    if (Array.isArray(schema.enum)) set('unknown code', 'zz-not-a-code');
    else if (typeof schema['x-code-table'] === 'string') set('unmapped source code', 'ZZZ-UNKNOWN');
    if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(INJECTION))
      set('injection string', INJECTION);
    if (typeof schema.maxLength === 'number' && schema.maxLength < 100_000)
      set('one character too long', 'x'.repeat(schema.maxLength + 1));
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const properties = (schema.properties ?? {}) as Partial<Record<string, Schema>>;
    for (const key of (schema.required ?? []) as string[]) {
      if (key in value)
        out.push({
          what: `${pointerOf([...path, key])}: missing`,
          body: withValue(body, [...path, key], (parent, k) => {
            Reflect.deleteProperty(parent, k);
          }),
          pointer: pointerOf([...path, key]),
        });
    }
    if (schema.additionalProperties === false) {
      out.push({
        what: `${pointerOf(path)}: unknown field`,
        body: withValue(body, [...path, 'zzUnknown'], (parent, k) => {
          (parent as Record<string, Json>)[k] = INJECTION;
        }),
        pointer: pointerOf(path),
      });
    }
    for (const key of Object.keys(value)) {
      const property = properties[key];
      if (property) mutationsOf(body, property, at, [...path, key], out);
    }
  }
  if (Array.isArray(value) && value.length > 0 && schema.items)
    mutationsOf(body, schema.items as Schema, at, [...path, '0'], out);
  return out;
}

describe('every JSON endpoint fed invalid bodies generated from its own schema', () => {
  const stack = useGatewayStack('t_inv', [], { RATE_LIMIT_PER_SECOND: '100000', RATE_LIMIT_BURST: '100000' });
  const { config, prefix } = stack;
  let endpoints: Endpoint[];
  const document = parseYaml(readFileSync(join(SCHEMAS, 'openapi.yaml'), 'utf8')) as {
    paths: Record<
      string,
      Record<
        string,
        {
          operationId: string;
          requestBody?: { content: Record<string, { schema: Schema; examples?: Record<string, { value: Json }> }> };
        }
      >
    >;
    components: { schemas: Record<string, Schema> };
  };
  /** Valid bodies of the operations whose document gives no example. */
  const BASES: Partial<Record<string, () => Json>> = {
    submitReferral: () => readFixture('ow-case-record/marcus-okafor-accelerated.json'),
    cancelReferral: () => ({ reason: 'The client moved to another region.' }),
    withdrawConsent: () => ({ consentId: crypto.randomUUID() }),
    declineReferral: () => ({ declineReason: 'no-capacity', note: 'Full until March.' }),
  };

  beforeAll(() => {
    endpoints = endpointsOf(stack.app);
  });

  const storedRecords = async (): Promise<number> => {
    const admin = testKafka().admin();
    await admin.connect();
    let total = 0;
    for (const topic of ['ow.case-records.v1', 'eo.service-records.v1', 'referrals.v1']) {
      total += (await admin.fetchTopicOffsets(`${prefix}${topic}`)).reduce((sum, p) => sum + Number(p.high), 0);
    }
    await admin.disconnect();
    return total;
  };

  it('refuses each one with a 4xx problem naming the field, never a 5xx, and stores nothing', async () => {
    const before = await storedRecords();
    const operations = Object.entries(document.paths).flatMap(([path, ops]) =>
      Object.entries(ops)
        .filter(([, op]) => op.requestBody?.content['application/json'])
        .map(([method, op]) => ({ path, method, op })),
    );
    expect(operations.length).toBeGreaterThanOrEqual(6);
    let checked = 0;
    for (const { path, method, op } of operations) {
      const media = op.requestBody!.content['application/json'];
      const example = Object.values(media.examples ?? {}).at(0)?.value;
      const base = BASES[op.operationId]?.() ?? example;
      expect({ operation: op.operationId, hasValidBody: base !== undefined }).toEqual({
        operation: op.operationId,
        hasValidBody: true,
      });
      const endpoint = endpoints.find(
        (e) => e.method === method.toUpperCase() && e.path.replace(/\/:(\w+)/g, '/{$1}') === path,
      )!;
      const rule = endpoint.rule!;
      const token = await mintDevToken({ org: STRANGERS[rule.orgKinds[0]], scopes: rule.scopes }, config);
      const url = path.replace(/\{(\w+)\}/g, () => crypto.randomUUID());
      // The document's component refs (`#/components/schemas/X`) name schema files: follow them there.
      for (const mutation of mutationsOf(
        base!,
        componentSchema(media.schema),
        'https://schemas.passerelle.ontario.ca/',
      )) {
        const res = await stack
          .http()
          [method as 'post'](url)
          .set('authorization', `Bearer ${token}`)
          .set('idempotency-key', `inv-${crypto.randomUUID()}`)
          .send(mutation.body as object);
        const what = `${op.operationId} ${mutation.what}`;
        expect({ what, status: res.status >= 400 && res.status < 500 ? '4xx' : res.status }).toEqual({
          what,
          status: '4xx',
        });
        expect({ what, type: res.headers['content-type'] }).toEqual({
          what,
          type: expect.stringContaining('application/problem+json'),
        });
        const pointers = ((res.body.errors ?? []) as Array<{ pointer: string }>).map((e) => e.pointer);
        const named = pointers.some(
          (p) =>
            p === mutation.pointer ||
            p.startsWith(`${mutation.pointer}/`) ||
            (mutation.pointer.startsWith(p) && p !== ''),
        );
        expect({ what, named, pointers }).toEqual({ what, named: true, pointers });
        checked += 1;
      }
      // A body past the configured size is 413, the gateway still standing after it.
      const huge = await stack
        .http()
        [method as 'post'](url)
        .set('authorization', `Bearer ${token}`)
        .set('idempotency-key', `inv-${crypto.randomUUID()}`)
        .set('content-type', 'application/json')
        .send(JSON.stringify({ padding: 'x'.repeat(config.bodyLimitBytes) }));
      expect({ operation: op.operationId, status: huge.status }).toEqual({ operation: op.operationId, status: 413 });
    }
    expect(checked).toBeGreaterThan(100);
    await stack.http().get('/v1/health/live').expect(200);
    expect(await storedRecords()).toBe(before);
  }, 300_000);

  /** `#/components/schemas/X` of openapi.yaml, as the schema file it names. */
  function componentSchema(schema: Schema): Schema {
    if (typeof schema.$ref === 'string' && schema.$ref.startsWith('#/components/schemas/')) {
      const file = document.components.schemas[schema.$ref.slice('#/components/schemas/'.length)];
      // An operation-specific body (`allOf` of a shared component and its own rules): the shared
      // schema is the file the gateway validates with, so its mutations are the ones to send.
      const shared = Array.isArray(file.allOf)
        ? (file.allOf as Schema[]).find((b) => typeof b.$ref === 'string')
        : undefined;
      if (shared) return componentSchema(shared);
      // The file's `$id` (versioned), the key `byId` knows it by.
      return { $ref: schemaIdForPath(typeof file.$ref === 'string' ? file.$ref : '') };
    }
    if (Array.isArray(schema.oneOf)) return { oneOf: (schema.oneOf as Schema[]).map(componentSchema) };
    return schema;
  }
});
