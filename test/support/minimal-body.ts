import fc from 'fast-check';
import { codeTable, isCodeTableName, type SourceSystem } from '@passerelle/codes';
import type { JsonObject, JsonValue, OpenApiDocument } from '@passerelle/contracts';

type Schema = JsonObject;

export interface MinimalBodyOptions {
  /**
   * A code of `system` that code table `table` maps, for a field marked `x-code-table` (the
   * gateway refuses a source code without a mapping, and the document names the table).
   */
  sourceCode: (table: string, system: string) => string;
}

/** The first source code each table maps for the system: what `x-code-table` points a client to. */
export const mappedCodes: MinimalBodyOptions = {
  sourceCode: (table, system) => {
    const map = isCodeTableName(table) ? codeTable(table).sourceMaps[system as SourceSystem] : undefined;
    const code = map && Object.keys(map)[0];
    if (code === undefined) throw new Error(`code table ${table} maps no ${system} code`);
    return code;
  },
};

/** A value of each format that every validator takes (and that reads as Ontario data). */
const FORMAT_VALUES: Record<string, string> = {
  date: '2025-09-15',
  'date-time': '2025-09-15T14:20:00-04:00',
  time: '14:20:00-04:00',
  email: 'client@example.ca',
  uri: 'https://example.ca/',
  'uri-reference': '/',
  uuid: '0b9e7a52-3c1d-4f6e-8a2b-5c4d3e2f1a0b',
  'json-pointer': '',
  hostname: 'example.ca',
};

const isObject = (value: JsonValue | undefined): value is Schema =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
/** JSON Schema lengths count code points, not UTF-16 units. */
const codePoints = (text: string): number => Array.from(text).length;

/**
 * Minimal bodies of a JSON Schema found in the bundled OpenAPI document: required properties
 * only, the first `enum` value, `const`, the smallest array and number allowed, a fixed value per
 * `format`, a string matching `pattern` (fast-check, fixed seed: the same body on every run).
 * One body per branch of a top-level `oneOf` / `anyOf`; nested alternatives take their first.
 */
export function minimalBodies(document: OpenApiDocument, schema: Schema, options: MinimalBodyOptions): JsonValue[] {
  const generator = new MinimalGenerator(document, options);
  const flat = generator.flatten(schema);
  const branches = flat.oneOf ?? flat.anyOf;
  if (!Array.isArray(branches)) return [generator.value(flat, undefined)];
  const { oneOf: _o, anyOf: _a, ...rest } = flat;
  return branches.map((branch) => generator.value({ allOf: [rest, branch as Schema] }, undefined));
}

class MinimalGenerator {
  constructor(
    private readonly document: OpenApiDocument,
    private readonly options: MinimalBodyOptions,
  ) {}

  /** The schema with its `$ref` and `allOf` merged in: properties and `required` of every part. */
  flatten(schema: Schema): Schema {
    let out: Schema = {};
    const { $ref, allOf, ...own } = schema;
    if (typeof $ref === 'string') out = merge(out, this.flatten(this.resolve($ref)));
    if (Array.isArray(allOf)) for (const part of allOf) if (isObject(part)) out = merge(out, this.flatten(part));
    return merge(out, own);
  }

  value(schemaIn: Schema, systemIn: string | undefined): JsonValue {
    const schema = this.flatten(schemaIn);
    // Source records name their system once, at the top; their coded fields below use it.
    const system = typeof schema['x-source-system'] === 'string' ? schema['x-source-system'] : systemIn;
    if ('const' in schema) return schema.const;
    if (Array.isArray(schema.enum)) return schema.enum[0];
    const branches = schema.oneOf ?? schema.anyOf;
    if (Array.isArray(branches) && isObject(branches[0])) {
      const { oneOf: _o, anyOf: _a, ...rest } = schema;
      return this.value({ allOf: [rest, branches[0]] }, system);
    }
    const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
    if (type === 'object' || (type === undefined && (isObject(schema.properties) || Array.isArray(schema.required))))
      return this.object(schema, system);
    if (type === 'array' || (type === undefined && isObject(schema.items))) {
      const count = typeof schema.minItems === 'number' ? schema.minItems : 0;
      const items = isObject(schema.items) ? schema.items : {};
      return Array.from({ length: count }, () => this.value(items, system));
    }
    if (type === 'integer' || type === 'number') return number(schema);
    if (type === 'boolean') return false;
    if (type === 'null') return null;
    return this.string(schema, system);
  }

  private object(schema: Schema, system: string | undefined): JsonObject {
    const properties = isObject(schema.properties) ? schema.properties : {};
    const out: JsonObject = {};
    const fill = (names: JsonValue | undefined, extra: Schema = {}): void => {
      if (!Array.isArray(names)) return;
      for (const name of names.filter((n): n is string => typeof n === 'string')) {
        if (name in out) continue;
        const own = properties[name];
        const more = isObject(extra.properties) ? extra.properties[name] : undefined;
        out[name] = this.value({ allOf: [isObject(own) ? own : {}, isObject(more) ? more : {}] }, system);
      }
    };
    fill(schema.required);
    // `if` / `then` whose condition the body meets add their own required members.
    for (const rule of conditionals(schema)) if (meets(out, rule.if)) fill(rule.then.required, rule.then);
    return out;
  }

  private string(schema: Schema, system: string | undefined): string {
    if (typeof schema['x-code-table'] === 'string' && system !== undefined)
      return this.options.sourceCode(schema['x-code-table'], system);
    const pattern = typeof schema.pattern === 'string' ? new RegExp(schema.pattern, 'u') : undefined;
    const min = typeof schema.minLength === 'number' ? schema.minLength : 0;
    const max = typeof schema.maxLength === 'number' ? schema.maxLength : Infinity;
    const fits = (text: string): boolean =>
      codePoints(text) >= min && codePoints(text) <= max && (pattern?.test(text) ?? true);
    const formatted = typeof schema.format === 'string' ? FORMAT_VALUES[schema.format] : undefined;
    if (formatted !== undefined && fits(formatted)) return formatted;
    if (pattern !== undefined) {
      const found = fc.sample(fc.stringMatching(pattern), { numRuns: 200, seed: 2025 }).find(fits);
      if (found === undefined) throw new Error(`no string of ${min} to ${max} characters matches ${pattern.source}`);
      return found;
    }
    return 'x'.repeat(min);
  }

  private resolve(ref: string): Schema {
    if (!ref.startsWith('#/')) throw new Error(`only local references are followed, not ${ref}`);
    let node: JsonValue | undefined = this.document;
    for (const token of ref.slice(2).split('/')) {
      const key = decodeURIComponent(token).replace(/~1/g, '/').replace(/~0/g, '~');
      node = isObject(node) ? node[key] : undefined;
    }
    if (!isObject(node)) throw new Error(`${ref} does not resolve to a schema`);
    return node;
  }
}

/** `b` over `a`: properties merged name by name (both apply), `required` joined, the rest `b`'s. */
function merge(a: Schema, b: Schema): Schema {
  const out: Schema = { ...a, ...b };
  if (isObject(a.properties) && isObject(b.properties)) {
    const properties: Schema = { ...a.properties };
    for (const [name, schema] of Object.entries(b.properties)) {
      const before = properties[name];
      properties[name] = isObject(before) && isObject(schema) ? { allOf: [before, schema] } : schema;
    }
    out.properties = properties;
  }
  if (Array.isArray(a.required) || Array.isArray(b.required))
    out.required = [...new Set([...asArray(a.required), ...asArray(b.required)])];
  const rules = [...conditionals(a), ...conditionals(b)];
  if (rules.length > 0) out['x-conditionals'] = rules.map((r) => ({ if: r.if, then: r.then }));
  delete out.if;
  delete out.then;
  return out;
}

const asArray = (value: JsonValue | undefined): JsonValue[] => (Array.isArray(value) ? value : []);

/** The `if` / `then` pairs of a schema, its own and those merged from its parts. */
function conditionals(schema: Schema): { if: Schema; then: Schema }[] {
  const merged = asArray(schema['x-conditionals']).filter(isObject) as { if: Schema; then: Schema }[];
  return isObject(schema.if) && isObject(schema.then) ? [...merged, { if: schema.if, then: schema.then }] : merged;
}

/** Whether `value` meets a condition made of `required` and `const` / `enum` properties. */
function meets(value: JsonObject, condition: Schema): boolean {
  if (asArray(condition.required).some((name) => typeof name !== 'string' || !(name in value))) return false;
  const properties = isObject(condition.properties) ? condition.properties : {};
  return Object.entries(properties).every(([name, rule]) => {
    if (!(name in value) || !isObject(rule)) return true;
    if ('const' in rule) return JSON.stringify(rule.const) === JSON.stringify(value[name]);
    return !Array.isArray(rule.enum) || rule.enum.some((v) => JSON.stringify(v) === JSON.stringify(value[name]));
  });
}

function number(schema: Schema): number {
  if (typeof schema.minimum === 'number') return schema.minimum;
  if (typeof schema.exclusiveMinimum === 'number') return Math.floor(schema.exclusiveMinimum) + 1;
  return typeof schema.maximum === 'number' ? Math.min(0, schema.maximum) : 0;
}

/** An operation of the document with a JSON request body, and the minimal bodies of its schema. */
export interface MinimalRequest {
  method: string;
  /** `/v1/referrals/{referralId}` */
  path: string;
  operationId: string;
  /** JSON pointer of the body's schema in the document. */
  schemaPointer: string;
  operation: JsonObject;
  bodies: JsonValue[];
}

/** Every operation the gateway serves that takes a JSON body, with its minimal bodies. */
export function minimalRequests(
  document: OpenApiDocument,
  operations: { method: string; path: string; pointer: string; operation: JsonObject; isWebhook: boolean }[],
  options: MinimalBodyOptions,
): MinimalRequest[] {
  return operations
    .filter((o) => !o.isWebhook)
    .flatMap(({ method, path, pointer, operation }) => {
      const body = isObject(operation.requestBody) ? operation.requestBody : {};
      const media = isObject(body.content) ? body.content['application/json'] : undefined;
      if (!isObject(media) || !isObject(media.schema)) return [];
      const operationId = typeof operation.operationId === 'string' ? operation.operationId : `${method} ${path}`;
      const schemaPointer = `${pointer}/requestBody/content/application~1json/schema`;
      const bodies = minimalBodies(document, media.schema, options);
      return [{ method, path, operationId, schemaPointer, operation, bodies }];
    });
}
