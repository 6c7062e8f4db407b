import { isJsonObject, type JsonObject, type JsonValue } from '@passerelle/contracts';
import { resolveRef, type ContractTree } from './contract-tree';

/** Keywords bounding from above: a smaller value is tighter. */
export const UPPER_BOUNDS = ['maxLength', 'maxItems', 'maxProperties', 'maximum', 'exclusiveMaximum', 'maxContains'];
/** Keywords bounding from below: a larger value is tighter. */
export const LOWER_BOUNDS = ['minLength', 'minItems', 'minProperties', 'minimum', 'exclusiveMinimum', 'minContains'];

const MAX_HOPS = 16;

/** The types a schema's `type` names, or `undefined` when it has none. */
export function typesOf(schema: JsonObject): string[] | undefined {
  const type = schema.type;
  if (typeof type === 'string') return [type];
  return Array.isArray(type) ? type.filter((t): t is string => typeof t === 'string') : undefined;
}

/** Whether a value of JSON type `type` is still accepted by a schema of types `types`. */
export function typeCovered(type: string, types: readonly string[]): boolean {
  return types.includes(type) || (type === 'integer' && types.includes('number'));
}

/**
 * `node` with its `$ref` followed (siblings kept over the target's keywords), as many times as it
 * takes; a reference that does not resolve is left as is.
 */
export function followRefs(node: JsonValue, tree: ContractTree): JsonValue {
  let current = node;
  for (let hops = 0; isJsonObject(current) && typeof current.$ref === 'string' && hops < MAX_HOPS; hops += 1) {
    const target = resolveRef(tree, current.$ref);
    if (target === undefined) break;
    const { $ref: _ref, ...siblings } = current;
    current = isJsonObject(target) ? { ...target, ...siblings } : target;
  }
  return current;
}

/**
 * `schema` with its `allOf` merged into one schema (references of the members followed): what
 * the evolution check compares, so moving keywords into or out of an `allOf` is no change and a
 * member adding `required` is a new required field. `false` when a member accepts nothing.
 */
export function flattenAllOf(schema: JsonObject, tree: ContractTree, depth = 0): JsonObject | false {
  if (!Array.isArray(schema.allOf) || depth > MAX_HOPS) return schema;
  const { allOf, ...own } = schema;
  let merged: JsonObject = own;
  for (const member of allOf) {
    const followed = followRefs(member, tree);
    if (followed === false) return false;
    if (!isJsonObject(followed)) continue;
    const flat = flattenAllOf(followed, tree, depth + 1);
    if (flat === false) return false;
    merged = mergeSchemas(merged, flat);
  }
  return merged;
}

/** One schema accepting what both `a` and `b` accept (as far as the check needs). */
export function mergeSchemas(a: JsonObject, b: JsonObject): JsonObject {
  const out: JsonObject = { ...a };
  for (const [key, value] of Object.entries(b)) {
    out[key] = Object.hasOwn(out, key) ? mergeKeyword(key, out[key], value) : value;
  }
  return out;
}

function mergeKeyword(key: string, prior: JsonValue, value: JsonValue): JsonValue {
  if (UPPER_BOUNDS.includes(key) && typeof prior === 'number' && typeof value === 'number') {
    return Math.min(prior, value);
  }
  if (LOWER_BOUNDS.includes(key) && typeof prior === 'number' && typeof value === 'number') {
    return Math.max(prior, value);
  }
  switch (key) {
    case 'properties':
    case 'patternProperties':
    case '$defs':
      return isJsonObject(prior) && isJsonObject(value) ? mergeMaps(prior, value) : prior;
    case 'required':
      return Array.isArray(prior) && Array.isArray(value) ? [...new Set([...prior, ...value])] : prior;
    case 'type':
      return mergeTypes(typesOf({ type: prior }) ?? [], typesOf({ type: value }) ?? []);
    case 'enum': {
      if (!Array.isArray(prior) || !Array.isArray(value)) return prior;
      const kept = new Set(value.map((v) => JSON.stringify(v)));
      return prior.filter((v) => kept.has(JSON.stringify(v)));
    }
    case 'additionalProperties':
    case 'unevaluatedProperties':
    case 'items':
    case 'contains':
    case 'propertyNames':
      return prior === false || value === false ? false : { allOf: [prior, value] };
    default:
      // Annotations, and the rare keyword both sides set (a second `anyOf`): the first is kept.
      return prior;
  }
}

function mergeMaps(a: JsonObject, b: JsonObject): JsonObject {
  const out: JsonObject = { ...a };
  for (const [name, schema] of Object.entries(b)) {
    out[name] = Object.hasOwn(out, name) ? { allOf: [out[name], schema] } : schema;
  }
  return out;
}

function mergeTypes(a: readonly string[], b: readonly string[]): string[] {
  const both = new Set<string>();
  for (const type of a) if (typeCovered(type, b)) both.add(type);
  for (const type of b) if (typeCovered(type, a)) both.add(type);
  return [...both];
}
