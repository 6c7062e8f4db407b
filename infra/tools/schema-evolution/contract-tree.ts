import {
  RELEASED_SNAPSHOT_DIR,
  isJsonObject,
  resolvePointer,
  schemaIdMajorVersion,
  schemaPathForId,
  type JsonObject,
  type JsonValue,
} from '@passerelle/contracts';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { parse as parseYaml } from 'yaml';

/** The two documents of the contract, beside the schema files. */
export const CONTRACT_DOCUMENTS = ['openapi.yaml', 'asyncapi.yaml'] as const;

/**
 * The files of a contract: path relative to `schemas/` -> parsed content. Every `$ref` in it is
 * rewritten to one absolute form, `<path>#<pointer>` (`common/problem.json#`,
 * `openapi.yaml#/components/schemas/Problem`), so a node can be compared wherever it came from.
 */
export type ContractTree = ReadonlyMap<string, JsonValue>;

/** Keywords whose value is data, not schema: a `$ref` inside is not a reference. */
const DATA_KEYWORDS = new Set(['const', 'default', 'enum', 'example', 'examples']);

/** A contract tree from in-memory files (path relative to `schemas/` -> content). */
export function contractTree(files: Readonly<Record<string, JsonValue>>): ContractTree {
  const tree = new Map<string, JsonValue>();
  for (const path of Object.keys(files).sort()) tree.set(path, absoluteRefs(files[path], path));
  return tree;
}

/** The live contract under `dir` (a `schemas/` folder): every schema file and both documents. */
export function loadContractTree(dir: string): ContractTree {
  return readTree(dir, liveContractFiles(dir));
}

/**
 * Paths (relative to `dir`, sorted) of the live contract under `dir`: every `*.json` file except
 * those of the released snapshot, and the documents.
 */
export function liveContractFiles(dir: string): string[] {
  const files: string[] = CONTRACT_DOCUMENTS.filter((name) => existsSync(join(dir, name)));
  const walk = (relative: string): void => {
    for (const entry of readdirSync(join(dir, relative), { withFileTypes: true })) {
      const path = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory() && path !== RELEASED_SNAPSHOT_DIR) walk(path);
      else if (entry.isFile() && entry.name.endsWith('.json')) files.push(path);
    }
  };
  walk('');
  return files.sort();
}

/** The files `paths` (relative to `dir`) as a contract tree. */
export function readTree(dir: string, paths: readonly string[]): ContractTree {
  const files: Record<string, JsonValue> = {};
  for (const path of paths) {
    const text = readFileSync(join(dir, path), 'utf8');
    try {
      files[path] = (path.endsWith('.json') ? JSON.parse(text) : parseYaml(text)) as JsonValue;
    } catch (error) {
      throw new Error(`cannot parse ${join(dir, path)}: ${(error as Error).message}`, { cause: error });
    }
  }
  return contractTree(files);
}

/** Whether `path` names one of the two documents rather than a schema file. */
export function isDocument(path: string): boolean {
  return (CONTRACT_DOCUMENTS as readonly string[]).includes(path);
}

/**
 * The major version of a file of the tree: a schema's from its `$id`
 * (`https://schemas.passerelle.ontario.ca/v2/...` -> 2; 1 when its `$id` carries none), a
 * document's from `info.version`. `undefined` when the file is not in the tree.
 */
export function majorVersion(tree: ContractTree, path: string): number | undefined {
  const content = tree.get(path);
  if (!isJsonObject(content)) return undefined;
  if (isDocument(path)) {
    const version = isJsonObject(content.info) ? content.info.version : undefined;
    const major = typeof version === 'string' ? /^v?(\d+)/.exec(version) : null;
    return major === null ? 0 : Number(major[1]);
  }
  return typeof content.$id === 'string' ? (schemaIdMajorVersion(content.$id) ?? 1) : 1;
}

/** The node an absolute reference (`<path>#<pointer>`) names in `tree`, or `undefined`. */
export function resolveRef(tree: ContractTree, ref: string): JsonValue | undefined {
  const hash = ref.indexOf('#');
  const file = tree.get(hash === -1 ? ref : ref.slice(0, hash));
  return file === undefined ? undefined : resolvePointer(file, hash === -1 ? '' : ref.slice(hash + 1));
}

/** The file part of an absolute reference. */
export function refFile(ref: string): string {
  const hash = ref.indexOf('#');
  return hash === -1 ? ref : ref.slice(0, hash);
}

/** A copy of `node` (found in the file `path`) with every `$ref` in the absolute form. */
function absoluteRefs(node: JsonValue, path: string): JsonValue {
  if (Array.isArray(node)) return node.map((item) => absoluteRefs(item, path));
  if (!isJsonObject(node)) return node;
  const copy: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === '$ref' && typeof value === 'string') copy[key] = absoluteRef(value, path);
    else copy[key] = DATA_KEYWORDS.has(key) ? value : absoluteRefs(value, path);
  }
  return copy;
}

function absoluteRef(ref: string, fromPath: string): string {
  const hash = ref.indexOf('#');
  const filePart = hash === -1 ? ref : ref.slice(0, hash);
  const fragment = hash === -1 ? '' : ref.slice(hash + 1);
  if (filePart === '') return `${fromPath}#${fragment}`;
  if (/^[a-z][a-z0-9+.-]*:/i.test(filePart)) {
    const path = schemaPathForId(filePart);
    return path === undefined ? ref : `${path}#${fragment}`;
  }
  return `${posix.normalize(posix.join(posix.dirname(fromPath), decodeURIComponent(filePart)))}#${fragment}`;
}
