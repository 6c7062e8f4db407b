import { normalizeSchemaId, schemaPathForId, schemasDir } from '@passerelle/contracts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** JSON type of a schema field, as far as a CSV cell needs it. */
export type FieldType = 'string' | 'integer' | 'number' | 'boolean' | 'object' | 'array' | 'null';

type SchemaNode = { [key: string]: unknown };
const isNode = (value: unknown): value is SchemaNode =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Reads the JSON type of a field of a schema file, addressed by its property names from the root
 * (`['personal', 'name', 'givenName']`), following file `$ref`s. `undefined` when the schema has
 * no such property (paths never go through array items: arrays are whole cells).
 */
export class SchemaFieldTypes {
  private readonly files = new Map<string, SchemaNode>();

  constructor(private readonly rootId: string) {}

  typeAt(path: readonly string[]): FieldType | undefined {
    let found = this.resolve(this.load(normalizeSchemaId(this.rootId)), normalizeSchemaId(this.rootId));
    for (const name of path) {
      const properties = found.node.properties;
      if (!isNode(properties) || !Object.hasOwn(properties, name) || !isNode(properties[name])) return undefined;
      found = this.resolve(properties[name], found.base);
    }
    return typeOf(found.node);
  }

  private resolve(node: SchemaNode, base: string): { node: SchemaNode; base: string } {
    let current = { node, base };
    // A property that only adds a description to a $ref: read the referenced file for the type.
    for (
      let hops = 0;
      typeof current.node.$ref === 'string' && typeOf(current.node) === undefined && hops < 16;
      hops += 1
    ) {
      const target = new URL(current.node.$ref, current.base).href.split('#')[0];
      current = { node: this.load(target), base: target };
    }
    return current;
  }

  private load(id: string): SchemaNode {
    let node = this.files.get(id);
    if (node === undefined) {
      const path = schemaPathForId(id);
      if (path === undefined) throw new Error(`${id} is not a schema of schemas/`);
      const parsed = JSON.parse(readFileSync(join(schemasDir(), path), 'utf8')) as unknown;
      if (!isNode(parsed)) throw new Error(`${id} is not a schema object`);
      node = parsed;
      this.files.set(id, node);
    }
    return node;
  }
}

function typeOf(node: SchemaNode): FieldType | undefined {
  const type = node.type;
  if (typeof type === 'string') return type as FieldType;
  if (Array.isArray(type)) return (type.find((t) => t !== 'null') ?? type[0]) as FieldType | undefined;
  if (isNode(node.properties)) return 'object';
  if (Array.isArray(node.enum) && node.enum.every((v) => typeof v === 'string')) return 'string';
  if (typeof node.const === 'string') return 'string';
  return undefined;
}
