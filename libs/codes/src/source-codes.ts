import { normalizeSchemaId, schemaPathForId, schemasDir } from '@passerelle/contracts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isCodeTableName, mapSourceCode, SOURCE_SYSTEMS, type CodeTableName, type SourceSystem } from './code-tables';

/** A field of a source schema that carries a source code (marked `x-code-table` in the schema). */
export interface SourceCodeField {
  /** Property names from the record's root; `*` stands for every item of an array. */
  readonly path: readonly string[];
  /** Code table mapping the field's codes. */
  readonly table: CodeTableName;
}

/** The coded fields of one source schema and the system whose codes they carry. */
export interface SourceCodeFields {
  readonly schemaId: string;
  /** The schema's `x-source-system`. */
  readonly system: SourceSystem;
  readonly fields: readonly SourceCodeField[];
}

/** One source code found in a record. */
export interface SourceCodeOccurrence {
  /** RFC 6901 pointer to the field in the record (`/activities/0/activityCode`). */
  readonly pointer: string;
  readonly table: CodeTableName;
  readonly system: SourceSystem;
  readonly code: string;
}

/** A source code of a record with no canonical mapping: the DLQ reason names field and code. */
export interface UnmappedSourceCode extends SourceCodeOccurrence {
  /** `<pointer>: <why>`, e.g. `/activities/0/activityCode: sams code "XYZ" has no mapping in code table activities`. */
  readonly reason: string;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const cache = new Map<string, SourceCodeFields>();

/**
 * The fields of the source schema `schemaId` (its `$id`, or its path under `schemas/`, e.g.
 * `sources/ow-case-record.json`) that carry source codes, read from the schema's `x-code-table`
 * annotations (following `$ref`s to other files), with its `x-source-system`.
 */
export function sourceCodeFields(schemaId: string): SourceCodeFields {
  const id = normalizeSchemaId(schemaId);
  let found = cache.get(id);
  if (found === undefined) {
    const root = readSchema(id);
    const system = root['x-source-system'];
    if (typeof system !== 'string' || !(SOURCE_SYSTEMS as readonly string[]).includes(system)) {
      throw new Error(`${id} has no x-source-system naming one of ${SOURCE_SYSTEMS.join(', ')}`);
    }
    const fields: SourceCodeField[] = [];
    collect(root, id, [], fields, new Set());
    found = Object.freeze({ schemaId: id, system: system as SourceSystem, fields: Object.freeze(fields) });
    cache.set(id, found);
  }
  return found;
}

/** Every source code present in `record` (a record valid against `schemaId`), with its pointer. */
export function sourceCodesOf(schemaId: string, record: unknown): SourceCodeOccurrence[] {
  const { system, fields } = sourceCodeFields(schemaId);
  const out: SourceCodeOccurrence[] = [];
  for (const field of fields) {
    for (const [pointer, value] of valuesAt(record, field.path, '')) {
      if (typeof value === 'string') out.push({ pointer, table: field.table, system, code: value });
    }
  }
  return out.sort((a, b) => a.pointer.localeCompare(b.pointer));
}

/**
 * The source codes of `record` that have no canonical mapping, each with a reason naming the
 * field and the code: empty when every code maps. Adapters send a record with any to the DLQ.
 */
export function unmappedSourceCodes(schemaId: string, record: unknown): UnmappedSourceCode[] {
  return sourceCodesOf(schemaId, record).flatMap((occurrence) => {
    const mapped = mapSourceCode(occurrence.table, occurrence.system, occurrence.code);
    return mapped.ok ? [] : [{ ...occurrence, reason: `${occurrence.pointer}: ${mapped.reason}` }];
  });
}

function readSchema(id: string): JsonObject {
  const path = schemaPathForId(id);
  if (path === undefined) throw new Error(`${id} is not a schema of schemas/`);
  const file = join(schemasDir(), path);
  const schema = JSON.parse(readFileSync(file, 'utf8')) as Json;
  if (!isObject(schema)) throw new Error(`${file} does not hold a schema object`);
  return schema;
}

function collect(node: Json, baseId: string, path: string[], out: SourceCodeField[], visiting: Set<string>): void {
  if (!isObject(node)) return;
  const table = node['x-code-table'];
  if (typeof table === 'string') {
    if (!isCodeTableName(table))
      throw new Error(`${baseId}: x-code-table "${table}" at /${path.join('/')} names no code table`);
    out.push({ path: [...path], table });
  }
  const ref = node.$ref;
  if (typeof ref === 'string' && !ref.startsWith('#')) {
    const target = new URL(ref, baseId).href;
    if (!target.includes('/codes/') && !visiting.has(`${target}|${path.join('/')}`)) {
      visiting.add(`${target}|${path.join('/')}`);
      collect(readSchema(target), target, path, out, visiting);
    }
  }
  if (isObject(node.properties)) {
    for (const [name, property] of Object.entries(node.properties))
      collect(property, baseId, [...path, name], out, visiting);
  }
  if ('items' in node) collect(node.items, baseId, [...path, '*'], out, visiting);
}

function* valuesAt(value: unknown, path: readonly string[], pointer: string): Generator<[string, unknown]> {
  if (path.length === 0) {
    yield [pointer, value];
    return;
  }
  const [head, ...rest] = path;
  if (head === '*') {
    if (Array.isArray(value))
      for (let i = 0; i < value.length; i += 1) yield* valuesAt(value[i], rest, `${pointer}/${i}`);
  } else if (isObject(value) && Object.hasOwn(value, head)) {
    yield* valuesAt(value[head], rest, `${pointer}/${head.replace(/~/g, '~0').replace(/\//g, '~1')}`);
  }
}
