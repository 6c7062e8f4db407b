import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { components } from './generated/openapi';
import { escapePointerToken, isJsonObject, type JsonObject } from './json';
import { SCHEMA_BASE_URL, normalizeSchemaId, schemaIdForPath, schemaMajorVersion } from './schema-ids';
import { RELEASED_SNAPSHOT_DIR, schemasDir } from './schemas-dir';

/** One invalid field: the shape of an entry of `Problem.errors`. */
export type FieldError = NonNullable<components['schemas']['Problem']['errors']>[number];

export type ValidationResult<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

/** Thrown by {@link SchemaRegistry.assert} when data does not match its schema. */
export class SchemaValidationError extends Error {
  override readonly name = 'SchemaValidationError';

  constructor(
    readonly schemaId: string,
    readonly errors: FieldError[],
  ) {
    super(
      `data does not match ${schemaId}: ` +
        errors.map((e) => `${e.pointer === '' ? '(root)' : e.pointer} ${e.message}`).join('; '),
    );
  }
}

export interface SchemaRegistryOptions {
  /** Folder to load; defaults to {@link schemasDir}. */
  dir?: string;
}

/**
 * `x-` keywords allowed in schema files (Ajv strict mode refuses unknown keywords): `x-codes`
 * (bilingual labels of a code table), `x-source-maps` (source code -> canonical code, per source
 * system), `x-code-table` (on a source field: the code table mapping its value) and
 * `x-source-system` (on a source schema: the system whose codes it carries).
 */
export const ANNOTATION_KEYWORDS = ['x-codes', 'x-source-maps', 'x-code-table', 'x-source-system'] as const;

/**
 * Every JSON Schema under `schemas/` (`*.json`, recursively, except the snapshot of the last
 * release in `schemas/released/`), loaded once into one Ajv 2020-12 instance (strict mode, all
 * errors, ajv-formats) and compiled eagerly, so a broken schema or a dangling `$ref` fails at
 * start-up, not on the first request.
 *
 * Each file must carry the versioned `$id` that mirrors its path (`schemas/common/problem.json`
 * -> `https://schemas.passerelle.ontario.ca/v1/common/problem.json`, see {@link schemaIdForPath}).
 * A schema is also found by its path, or by the unversioned `$id` events carried before ids had a
 * version ({@link normalizeSchemaId}).
 */
export class SchemaRegistry {
  readonly dir: string;
  private readonly ajv: Ajv2020;
  private readonly ids: readonly string[];
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(options: SchemaRegistryOptions = {}) {
    this.dir = options.dir ?? schemasDir();
    this.ajv = new Ajv2020({ allErrors: true, strict: true });
    addFormats(this.ajv);
    // Annotation keywords of the code tables (schemas/codes) and of the source schemas, read by
    // @passerelle/codes; they never change what validates.
    for (const keyword of ANNOTATION_KEYWORDS) this.ajv.addKeyword({ keyword });

    const ids: string[] = [];
    const loaded: Array<{ path: string; schema: JsonObject }> = [];
    for (const file of listJsonFiles(this.dir, RELEASED_SNAPSHOT_DIR)) {
      const relativePath = relative(this.dir, file).split(sep).join('/');
      let schema: unknown;
      try {
        schema = JSON.parse(readFileSync(file, 'utf8'));
      } catch (error) {
        throw new Error(`schemas/${relativePath} is not valid JSON: ${(error as Error).message}`, { cause: error });
      }
      const expectedId = schemaIdForPath(relativePath);
      if (!isJsonObject(schema) || schema.$id !== expectedId) {
        throw new Error(
          `schemas/${relativePath} must be a JSON Schema whose $id is "${expectedId}" ` +
            '(its major version is set in SCHEMA_MAJOR_VERSIONS, libs/contracts/src/schema-ids.ts)',
        );
      }
      this.ajv.addSchema(schema);
      ids.push(expectedId);
      loaded.push({ path: relativePath, schema });
    }
    this.addOtherMajorAliases(loaded, new Set(ids));
    for (const id of ids) {
      try {
        this.ajv.getSchema(id);
      } catch (error) {
        throw new Error(`schema ${id} does not compile: ${(error as Error).message}`, { cause: error });
      }
    }
    this.ids = ids.sort();
  }

  /**
   * A relative `$ref` resolves under the major version of the file it is in (`../common/x.json`
   * from `.../v2/canonical/y.json` is `.../v2/common/x.json`): when files of several majors are
   * loaded, each file is also reachable for `$ref`s under the other majors' prefixes, so a file
   * at a new major can still refer to its neighbours by relative path. These aliases are not ids
   * of the registry (`has`, `validate` refuse them).
   */
  private addOtherMajorAliases(loaded: ReadonlyArray<{ path: string; schema: JsonObject }>, ids: Set<string>): void {
    const majors = new Set(loaded.map(({ path }) => schemaMajorVersion(path)));
    if (majors.size < 2) return;
    for (const { path, schema } of loaded) {
      for (const major of majors) {
        const alias = `${SCHEMA_BASE_URL}v${String(major)}/${path}`;
        if (!ids.has(alias)) this.ajv.addSchema(schema, alias);
      }
    }
  }

  /** `$id`s of every loaded schema file, sorted. */
  schemaIds(): string[] {
    return [...this.ids];
  }

  /** Whether a schema with this `$id` (or path relative to `schemas/`) is loaded. */
  has(schemaId: string): boolean {
    return this.ids.includes(normalizeSchemaId(schemaId));
  }

  /**
   * Validates `data` against the schema `schemaId` (its `$id`, or its path relative to
   * `schemas/`; a `#/json/pointer` fragment selects a subschema). Never mutates `data`.
   * Throws when no such schema is loaded.
   */
  validate<T>(schemaId: string, data: unknown): ValidationResult<T> {
    const validateFn = this.validator(schemaId);
    if (validateFn(data)) return { ok: true, value: data as T };
    return { ok: false, errors: toFieldErrors(validateFn.errors ?? []) };
  }

  /** Like {@link validate}, but returns the data or throws a {@link SchemaValidationError}. */
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the type the schema describes
  assert<T>(schemaId: string, data: unknown): T {
    const result = this.validate<T>(schemaId, data);
    if (!result.ok) throw new SchemaValidationError(normalizeSchemaId(schemaId), result.errors);
    return result.value;
  }

  private validator(schemaId: string): ValidateFunction {
    // Every record of every adapter is validated: the compiled function is looked up once per id.
    let validateFn = this.validators.get(schemaId);
    if (validateFn === undefined) {
      validateFn = this.compiledValidator(schemaId);
      this.validators.set(schemaId, validateFn);
    }
    return validateFn;
  }

  private compiledValidator(schemaId: string): ValidateFunction {
    const id = normalizeSchemaId(schemaId);
    const base = id.split('#')[0];
    let validateFn: ValidateFunction | undefined;
    if (this.ids.includes(base)) {
      try {
        validateFn = this.ajv.getSchema(id);
      } catch {
        validateFn = undefined;
      }
    }
    if (validateFn === undefined) {
      throw new Error(
        `Unknown schema id "${schemaId}": no schema with this $id under ${this.dir}. Known: ${this.ids.join(', ')}`,
      );
    }
    return validateFn;
  }
}

let singleton: SchemaRegistry | undefined;

/** The process-wide registry, created on first use. */
export function schemaRegistry(): SchemaRegistry {
  singleton ??= new SchemaRegistry();
  return singleton;
}

/** Every `*.json` file under `dir`, recursively, sorted; a top-level folder named `skip` is left out. */
function listJsonFiles(dir: string, skip?: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && entry.name === skip) continue;
    if (entry.isDirectory()) files.push(...listJsonFiles(path));
    else if (entry.isFile() && entry.name.endsWith('.json')) files.push(path);
  }
  return files;
}

/** Keywords whose errors only wrap the more precise errors Ajv reports beside them. */
const WRAPPER_KEYWORDS = new Set(['if', 'propertyNames']);

/**
 * Ajv errors -> one entry per invalid field, each with a JSON pointer to the field itself: for a
 * missing required property the pointer names the missing property, for a property that is not
 * allowed it names that property.
 */
export function toFieldErrors(errors: readonly ErrorObject[]): FieldError[] {
  const out: FieldError[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    if (WRAPPER_KEYWORDS.has(error.keyword)) continue;
    const fieldError = toFieldError(error);
    const key = `${fieldError.pointer}\u0000${fieldError.code}\u0000${fieldError.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(fieldError);
  }
  return out;
}

function toFieldError(error: ErrorObject): FieldError {
  const params = error.params as Record<string, unknown>;
  const child = (name: unknown) => `${error.instancePath}/${escapePointerToken(String(name))}`;
  switch (error.keyword) {
    case 'required':
    case 'dependentRequired':
      return { pointer: child(params.missingProperty), code: 'required', message: 'is required' };
    case 'additionalProperties':
      return { pointer: child(params.additionalProperty), code: error.keyword, message: 'is not allowed' };
    case 'unevaluatedProperties':
      return { pointer: child(params.unevaluatedProperty), code: error.keyword, message: 'is not allowed' };
    case 'enum':
      return {
        pointer: pointerOf(error),
        code: 'enum',
        message: `must be one of: ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
      };
    case 'const':
      return { pointer: pointerOf(error), code: 'const', message: `must be ${JSON.stringify(params.allowedValue)}` };
    default:
      return { pointer: pointerOf(error), code: error.keyword, message: error.message ?? `fails ${error.keyword}` };
  }
}

/** Errors raised inside `propertyNames` concern a property name: point at that property. */
function pointerOf(error: ErrorObject): string {
  return error.propertyName === undefined
    ? error.instancePath
    : `${error.instancePath}/${escapePointerToken(error.propertyName)}`;
}
