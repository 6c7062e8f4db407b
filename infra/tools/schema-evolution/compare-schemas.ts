import { isJsonObject, type JsonObject, type JsonValue } from '@passerelle/contracts';
import { child, type BreakingChange } from './breaking-change';
import { majorVersion, refFile, resolveRef, type ContractTree } from './contract-tree';
import { LOWER_BOUNDS, UPPER_BOUNDS, flattenAllOf, typeCovered, typesOf } from './merge-schemas';

/** Keywords that already restrict the type of a value: adding `type` beside them narrows nothing new. */
const TYPE_CONSTRAINING = ['type', 'enum', 'const', '$ref', 'anyOf', 'oneOf', 'allOf', 'not'];
/** Keywords whose exact value matters: added or changed is tighter (`multipleOf` aside, see below). */
const EXACT = ['pattern', 'format', 'multipleOf', 'not'];
/** Keywords that close an object or array when set to `false`. */
const CLOSING = ['additionalProperties', 'unevaluatedProperties', 'unevaluatedItems'];
/** Map keywords whose entries are compared one by one; a removed entry is `kind`. */
const MAPS = [
  ['properties', 'removed-property', 'property'],
  ['$defs', 'removed-definition', 'definition'],
  ['definitions', 'removed-definition', 'definition'],
  ['patternProperties', 'removed-property', 'pattern property'],
] as const;
/** Keywords holding one schema, compared as such when the current schema has them. */
const SUBSCHEMAS = ['items', 'additionalProperties', 'unevaluatedProperties', 'contains', 'propertyNames'];

const show = (value: JsonValue): string => JSON.stringify(value);
const valueOf = (schema: JsonObject, keyword: string): JsonValue | undefined =>
  Object.hasOwn(schema, keyword) ? schema[keyword] : undefined;

/**
 * Compares JSON Schemas of the last release with their current version and lists what makes a
 * valid document of the release invalid now, or drops what a reader relied on: a removed
 * property, a narrowed type, a new required field, a removed enum value, a tightened constraint
 * (bound, pattern, format, closed object), a removed definition. References are followed where
 * the two sides differ; where both name the same target, that target is compared on its own and
 * only a change of its major version counts here.
 */
export class SchemaComparer {
  /** Pairs of locations being compared, so recursive schemas end. */
  private readonly onPath = new Set<string>();

  constructor(
    private readonly released: ContractTree,
    private readonly current: ContractTree,
  ) {}

  /**
   * The breaking changes from `old` (at `at`, `<path>#<pointer>` in the released tree) to `now`
   * (at `nowAt` in the current tree). A missing schema accepts anything.
   */
  compare(old: JsonValue | undefined, now: JsonValue | undefined, at: string, nowAt = at): BreakingChange[] {
    if (now === undefined || now === true || old === false) return [];
    if (now === false) return [{ kind: 'narrowed-type', at, message: 'accepts nothing any more' }];
    const before: JsonObject = isJsonObject(old) ? old : {};
    if (!isJsonObject(now)) return [];
    const oldRef = typeof before.$ref === 'string' ? before.$ref : undefined;
    const nowRef = typeof now.$ref === 'string' ? now.$ref : undefined;
    if (oldRef !== undefined && oldRef === nowRef) {
      const { $ref: _old, ...oldSiblings } = before;
      const { $ref: _now, ...nowSiblings } = now;
      return [...this.referenceChanges(oldRef, at), ...this.compare(oldSiblings, nowSiblings, at, nowAt)];
    }
    if (oldRef !== undefined || nowRef !== undefined) return this.followed(before, now, at, nowAt);
    const a = flattenAllOf(before, this.released);
    const b = flattenAllOf(now, this.current);
    if (a === false) return [];
    if (b === false) return [{ kind: 'narrowed-type', at, message: 'accepts nothing any more' }];
    if (isUnion(a) || isUnion(b)) return this.unions(a, b, at, nowAt);
    return [
      ...typeChanges(a, b, at),
      ...valueChanges(a, b, at),
      ...constraintChanges(a, b, at),
      ...this.mapChanges(a, b, at, nowAt),
      ...this.subschemaChanges(a, b, at, nowAt),
    ];
  }

  /** Both sides name the same target: a change of the target's major version is a change here. */
  private referenceChanges(ref: string, at: string): BreakingChange[] {
    if (resolveRef(this.current, ref) === undefined) {
      return [{ kind: 'changed-reference', at, message: `refers to ${ref}, which no longer exists` }];
    }
    const file = refFile(ref);
    const from = majorVersion(this.released, file);
    const to = majorVersion(this.current, file);
    if (from === undefined || to === undefined || from === to) return [];
    return [
      {
        kind: 'changed-reference',
        at,
        message: `refers to ${file}, whose major version went from ${String(from)} to ${String(to)}`,
      },
    ];
  }

  /** At least one side is a reference and they differ: compare what they resolve to. */
  private followed(old: JsonObject, now: JsonObject, at: string, nowAt: string): BreakingChange[] {
    const oldRef = typeof old.$ref === 'string' ? old.$ref : undefined;
    const nowRef = typeof now.$ref === 'string' ? now.$ref : undefined;
    const oldAt = oldRef ?? at;
    const newAt = nowRef ?? nowAt;
    const key = `${oldAt}\u0000${newAt}`;
    if (this.onPath.has(key)) return [];
    let before: JsonValue = old;
    let after: JsonValue = now;
    if (oldRef !== undefined) {
      const target = resolveRef(this.released, oldRef);
      if (target === undefined) return [];
      before = withSiblings(target, old);
    }
    if (nowRef !== undefined) {
      const target = resolveRef(this.current, nowRef);
      if (target === undefined) {
        return [{ kind: 'changed-reference', at, message: `refers to ${nowRef}, which does not exist` }];
      }
      after = withSiblings(target, now);
    }
    this.onPath.add(key);
    try {
      return this.compare(before, after, oldAt, newAt);
    } finally {
      this.onPath.delete(key);
    }
  }

  /**
   * Either side is a union (`anyOf` / `oneOf`): every alternative of the release must still be
   * accepted by some current alternative. Unmatched, the closest match's changes are reported.
   */
  private unions(old: JsonObject, now: JsonObject, at: string, nowAt: string): BreakingChange[] {
    const candidates = alternatives(now, nowAt);
    const changes: BreakingChange[] = [];
    for (const alternative of alternatives(old, at)) {
      let best: BreakingChange[] | undefined;
      for (const candidate of candidates) {
        const found = this.compare(alternative.schema, candidate.schema, alternative.at, candidate.at);
        if (best === undefined || found.length < best.length) best = found;
        if (found.length === 0) break;
      }
      changes.push(...(best ?? []));
    }
    return changes;
  }

  private mapChanges(old: JsonObject, now: JsonObject, at: string, nowAt: string): BreakingChange[] {
    const changes: BreakingChange[] = [];
    for (const [keyword, kind, noun] of MAPS) {
      const before = isJsonObject(old[keyword]) ? old[keyword] : {};
      const after = isJsonObject(now[keyword]) ? now[keyword] : {};
      for (const [name, schema] of Object.entries(before)) {
        const where = child(at, keyword, name);
        if (!(name in after)) changes.push({ kind, at: where, message: `${noun} "${name}" removed` });
        else changes.push(...this.compare(schema, after[name], where, child(nowAt, keyword, name)));
      }
    }
    const required = new Set(strings(old.required));
    for (const name of strings(now.required)) {
      if (!required.has(name)) {
        changes.push({ kind: 'new-required', at: child(at, 'required'), message: `"${name}" is now required` });
      }
    }
    return changes;
  }

  private subschemaChanges(old: JsonObject, now: JsonObject, at: string, nowAt: string): BreakingChange[] {
    const changes: BreakingChange[] = [];
    for (const keyword of SUBSCHEMAS) {
      if (isJsonObject(now[keyword])) {
        changes.push(...this.compare(old[keyword], now[keyword], child(at, keyword), child(nowAt, keyword)));
      }
    }
    const before = Array.isArray(old.prefixItems) ? old.prefixItems : [];
    const after = Array.isArray(now.prefixItems) ? now.prefixItems : [];
    after.forEach((schema, i) => {
      changes.push(...this.compare(before[i], schema, child(at, 'prefixItems', i), child(nowAt, 'prefixItems', i)));
    });
    if ('if' in now) {
      if (!('if' in old) || show(old.if) !== show(now.if)) {
        changes.push({
          kind: 'tightened-constraint',
          at: child(at, 'if'),
          message: 'condition (if/then/else) added or changed',
        });
      } else {
        changes.push(...this.compare(old.then, now.then, child(at, 'then'), child(nowAt, 'then')));
        changes.push(...this.compare(old.else, now.else, child(at, 'else'), child(nowAt, 'else')));
      }
    }
    return changes;
  }
}

function withSiblings(target: JsonValue, node: JsonObject): JsonValue {
  const { $ref: _ref, ...siblings } = node;
  return isJsonObject(target) ? { ...target, ...siblings } : target;
}

function isUnion(schema: JsonObject): boolean {
  return Array.isArray(schema.anyOf) || Array.isArray(schema.oneOf);
}

/** The alternatives of a schema: one per branch of its `anyOf` (or `oneOf`), with its own keywords. */
function alternatives(schema: JsonObject, at: string): Array<{ schema: JsonValue; at: string }> {
  const keyword = Array.isArray(schema.anyOf) ? 'anyOf' : Array.isArray(schema.oneOf) ? 'oneOf' : undefined;
  if (keyword === undefined) return [{ schema, at }];
  const { [keyword]: branches, ...own } = schema;
  return (branches as JsonValue[]).map((branch, i) => ({
    schema: Object.keys(own).every(isAnnotation) ? branch : { ...own, allOf: [branch] },
    at: child(at, keyword, i),
  }));
}

/** Keywords that never change what validates. */
function isAnnotation(keyword: string): boolean {
  return (
    keyword.startsWith('x-') ||
    ['$comment', '$id', '$schema', 'title', 'description', 'examples', 'default', 'deprecated'].includes(keyword)
  );
}

function strings(value: JsonValue | undefined): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function typeChanges(old: JsonObject, now: JsonObject, at: string): BreakingChange[] {
  const before = typesOf(old);
  const after = typesOf(now);
  if (after === undefined) return [];
  const where = child(at, 'type');
  if (before === undefined) {
    if (TYPE_CONSTRAINING.some((keyword) => keyword in old)) return [];
    return [{ kind: 'narrowed-type', at: where, message: `now restricted to type ${show(now.type ?? null)}` }];
  }
  return before
    .filter((type) => !typeCovered(type, after))
    .map((type) => ({
      kind: 'narrowed-type' as const,
      at: where,
      message: `type "${type}" removed (was ${show(old.type ?? null)}, now ${show(now.type ?? null)})`,
    }));
}

/** The values an `enum` or `const` allows, or `undefined` when the schema lists none. */
function allowedValues(schema: JsonObject): JsonValue[] | undefined {
  if (Array.isArray(schema.enum)) return schema.enum;
  return 'const' in schema ? [schema.const] : undefined;
}

function valueChanges(old: JsonObject, now: JsonObject, at: string): BreakingChange[] {
  const before = allowedValues(old);
  const after = allowedValues(now);
  if (after === undefined) return [];
  const where = child(at, 'enum' in now ? 'enum' : 'const');
  if (before === undefined) {
    return [{ kind: 'tightened-constraint', at: where, message: `now limited to ${after.map(show).join(', ')}` }];
  }
  const kept = new Set(after.map(show));
  return before
    .filter((value) => !kept.has(show(value)))
    .map((value) => ({
      kind: 'removed-enum-value' as const,
      at: where,
      message: `value ${show(value)} no longer allowed (now ${after.map(show).join(', ')})`,
    }));
}

function constraintChanges(old: JsonObject, now: JsonObject, at: string): BreakingChange[] {
  const changes: BreakingChange[] = [];
  const tightened = (keyword: string, message: string) =>
    changes.push({ kind: 'tightened-constraint', at: child(at, keyword), message });
  for (const [keywords, tighter] of [
    [UPPER_BOUNDS, (a: number, b: number) => b < a],
    [LOWER_BOUNDS, (a: number, b: number) => b > a],
  ] as const) {
    for (const keyword of keywords) {
      const before = old[keyword];
      const after = now[keyword];
      if (typeof after !== 'number') continue;
      if (typeof before !== 'number') tightened(keyword, `${keyword} ${String(after)} added`);
      else if (tighter(before, after)) tightened(keyword, `${keyword} went from ${String(before)} to ${String(after)}`);
    }
  }
  for (const keyword of EXACT) {
    const before = valueOf(old, keyword);
    const after = valueOf(now, keyword);
    if (after === undefined || show(before ?? null) === show(after)) continue;
    // every multiple of 10 is a multiple of 5: a divisor of the old multipleOf is wider
    if (keyword === 'multipleOf' && typeof before === 'number' && typeof after === 'number' && before % after === 0) {
      continue;
    }
    tightened(
      keyword,
      before === undefined
        ? `${keyword} ${show(after)} added`
        : `${keyword} changed from ${show(before)} to ${show(after)}`,
    );
  }
  for (const keyword of CLOSING) {
    if (now[keyword] === false && old[keyword] !== false) tightened(keyword, `${keyword}: false added`);
  }
  if (now.uniqueItems === true && old.uniqueItems !== true) tightened('uniqueItems', 'uniqueItems added');
  return changes;
}
