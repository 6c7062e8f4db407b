import { readFileSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { escapePointerToken, isJsonObject, type JsonObject, type JsonValue } from './json';
import { schemaPathForId } from './schema-ids';
import { schemasDir } from './schemas-dir';

/** The parts of an OpenAPI 3.1 document this library relies on; the rest is kept as is. */
export interface OpenApiDocument extends JsonObject {
  openapi: string;
  info: JsonObject;
  paths: JsonObject;
  components: JsonObject & { schemas: JsonObject };
}

/** The parts of an AsyncAPI 3 document this library relies on; the rest is kept as is. */
export interface AsyncApiDocument extends JsonObject {
  asyncapi: string;
  info: JsonObject;
  channels: JsonObject;
}

export interface LoadDocumentOptions {
  /** Folder holding the documents; defaults to {@link schemasDir}. */
  dir?: string;
}

/**
 * `schemas/openapi.yaml` as one self-contained document (what Swagger UI renders offline): every
 * `$ref` to a schema file is replaced by a `#/components/schemas/<Name>` reference and the file's
 * content is inlined there, without its `$id` / `$schema`. A file already named by a
 * `components/schemas` entry keeps that name; any other file is named after its `title` (or its
 * file name). References inside inlined files (relative files, or fragments of the file itself)
 * are rewritten the same way. A fresh object on every call.
 */
export function loadOpenApiDocument(options: LoadDocumentOptions = {}): OpenApiDocument {
  const file = join(options.dir ?? schemasDir(), 'openapi.yaml');
  const document = readDocument(file);
  if (typeof document.openapi !== 'string' || !isJsonObject(document.info) || !isJsonObject(document.paths)) {
    throw new Error(`${file} is not an OpenAPI document (openapi, info and paths are required)`);
  }
  const components = isJsonObject(document.components) ? document.components : {};
  const schemas = isJsonObject(components.schemas) ? components.schemas : {};
  components.schemas = schemas;
  document.components = components;
  new Bundler(file, schemas).bundle(document);
  return document as OpenApiDocument;
}

/** `schemas/asyncapi.yaml`, parsed (references left as written). A fresh object on every call. */
export function loadAsyncApiDocument(options: LoadDocumentOptions = {}): AsyncApiDocument {
  const file = join(options.dir ?? schemasDir(), 'asyncapi.yaml');
  const document = readDocument(file);
  if (typeof document.asyncapi !== 'string' || !isJsonObject(document.info) || !isJsonObject(document.channels)) {
    throw new Error(`${file} is not an AsyncAPI document (asyncapi, info and channels are required)`);
  }
  return document as AsyncApiDocument;
}

function readDocument(file: string): JsonObject {
  const text = readFileSync(file, 'utf8');
  let value: unknown;
  try {
    value = extname(file) === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new Error(`cannot parse ${file}: ${(error as Error).message}`, { cause: error });
  }
  if (!isJsonObject(value)) throw new Error(`${file} does not hold an object`);
  return value;
}

/** Inlines the schema files referenced by a document into its `components/schemas`. */
class Bundler {
  private readonly nameByFile = new Map<string, string>();
  private readonly queue: string[] = [];
  /** Component entries that were only a reference to a file: name -> the entry's other keys. */
  private readonly fileEntries = new Map<string, { file: string; siblings: JsonObject }>();

  constructor(
    private readonly rootFile: string,
    private readonly schemas: JsonObject,
  ) {}

  bundle(document: JsonObject): void {
    // Components that just point at a file give that file its name.
    for (const [name, entry] of Object.entries(this.schemas)) {
      if (!isJsonObject(entry) || typeof entry.$ref !== 'string' || isLocalRef(entry.$ref)) continue;
      const [filePart, fragment] = splitRef(entry.$ref);
      if (fragment !== '') continue;
      const file = this.resolveFile(filePart, this.rootFile);
      const { $ref: _ref, ...siblings } = entry;
      if (this.nameByFile.has(file)) continue; // a second name for the same file: rewritten below
      this.rewrite(siblings, this.rootFile, undefined);
      this.nameByFile.set(file, name);
      this.fileEntries.set(name, { file, siblings });
      this.queue.push(file);
      Reflect.deleteProperty(this.schemas, name);
    }

    this.rewrite(document, this.rootFile, undefined);

    const inlined = new Set<string>();
    for (let next = this.queue.shift(); next !== undefined; next = this.queue.shift()) {
      if (inlined.has(next)) continue;
      inlined.add(next);
      const name = this.nameFor(next);
      const schema = readDocument(next);
      delete schema.$id;
      delete schema.$schema;
      this.rewrite(schema, next, name);
      const entry = this.fileEntries.get(name);
      this.schemas[name] = entry === undefined ? schema : { ...schema, ...entry.siblings };
    }
  }

  /** Rewrites every `$ref` under `node`, found in `file` (inlined as component `selfName`). */
  private rewrite(node: JsonValue, file: string, selfName: string | undefined): void {
    if (Array.isArray(node)) {
      for (const item of node) this.rewrite(item, file, selfName);
      return;
    }
    if (!isJsonObject(node)) return;
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') {
        node.$ref = this.rewriteRef(value, file, selfName);
      } else {
        this.rewrite(value, file, selfName);
      }
    }
  }

  private rewriteRef(ref: string, file: string, selfName: string | undefined): string {
    if (isLocalRef(ref)) {
      return selfName === undefined ? ref : componentRef(selfName, ref.slice(1));
    }
    const [filePart, fragment] = splitRef(ref);
    const target = this.resolveFile(filePart, file);
    if (!this.nameByFile.has(target)) this.queue.push(target);
    return componentRef(this.nameFor(target), fragment);
  }

  /** The component name of a file, given on first use. */
  private nameFor(file: string): string {
    const known = this.nameByFile.get(file);
    if (known !== undefined) return known;
    const title = readDocument(file).title;
    const base = typeof title === 'string' && /^[A-Za-z][A-Za-z0-9_]*$/.test(title) ? title : pascalCase(file);
    let name = base;
    for (let n = 2; name in this.schemas || this.fileEntries.has(name) || this.isNameTaken(name); n += 1) {
      name = `${base}${n}`;
    }
    this.nameByFile.set(file, name);
    return name;
  }

  private isNameTaken(name: string): boolean {
    for (const taken of this.nameByFile.values()) if (taken === name) return true;
    return false;
  }

  private resolveFile(filePart: string, fromFile: string): string {
    const schemaPath = schemaPathForId(filePart);
    if (schemaPath !== undefined) return join(dirname(this.rootFile), schemaPath);
    if (/^[a-z][a-z0-9+.-]*:/i.test(filePart)) {
      throw new Error(`cannot bundle ${filePart} (referenced from ${fromFile}): only files under schemas/ are inlined`);
    }
    return resolve(dirname(fromFile), decodeURIComponent(filePart));
  }
}

function isLocalRef(ref: string): boolean {
  return ref.startsWith('#');
}

function splitRef(ref: string): [string, string] {
  const hash = ref.indexOf('#');
  return hash === -1 ? [ref, ''] : [ref.slice(0, hash), ref.slice(hash + 1)];
}

function componentRef(name: string, fragment: string): string {
  if (fragment !== '' && !fragment.startsWith('/')) {
    throw new Error(`cannot bundle the reference fragment "#${fragment}": only JSON pointers are supported`);
  }
  return `#/components/schemas/${escapePointerToken(name)}${fragment}`;
}

function pascalCase(file: string): string {
  const words = basename(file, extname(file))
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean);
  const name = words.map((w) => w[0].toUpperCase() + w.slice(1)).join('');
  return /^[A-Za-z]/.test(name) ? name : `Schema${name}`;
}
