/**
 * Base of every schema `$id`. A schema file at `schemas/<path>` has the `$id`
 * `https://schemas.passerelle.ontario.ca/v<major>/<path>`: its major version comes first, so
 * relative `$ref`s between files of the same major resolve the same way by `$id` (Ajv, any
 * JSON Schema tool loading the files by `$id`) and by file path (openapi-typescript, Redocly,
 * the docs bundler). Events carry that versioned `$id` in `ce_dataschema`.
 */
export const SCHEMA_BASE_URL = 'https://schemas.passerelle.ontario.ca/';

/**
 * Major version of the schemas that are not at 1 (path relative to `schemas/` -> major). A
 * breaking change to a schema is a new major: raise it here and in the file's `$id` together
 * (the registry refuses a file whose `$id` differs from {@link schemaIdForPath}); the
 * evolution check (`npm run check:schemas`, schemas/README.md) lets a breaking change through
 * only then.
 */
export const SCHEMA_MAJOR_VERSIONS: Readonly<Record<string, number>> = {};

/** The first path segment of a versioned `$id`: `v1/`, `v2/`... */
const VERSION_SEGMENT = /^v([1-9][0-9]*)\//;

function cleanPath(relativePath: string): string {
  return relativePath.replace(/\\/g, '/').replace(/^\.?\//, '');
}

/** Major version of the schema file at `relativePath` (relative to `schemas/`). */
export function schemaMajorVersion(relativePath: string): number {
  return SCHEMA_MAJOR_VERSIONS[cleanPath(relativePath)] ?? 1;
}

/**
 * The `$id` of the schema file at `relativePath` (relative to `schemas/`, `/` separators; a
 * `#fragment` is kept): `https://schemas.passerelle.ontario.ca/v1/common/problem.json`.
 */
export function schemaIdForPath(relativePath: string): string {
  const [path, ...fragment] = cleanPath(relativePath).split('#');
  const suffix = fragment.length > 0 ? `#${fragment.join('#')}` : '';
  return `${SCHEMA_BASE_URL}v${String(schemaMajorVersion(path))}/${path}${suffix}`;
}

/**
 * The path under `schemas/` of a schema `$id` (fragment dropped), versioned or not:
 * `undefined` for a URI outside {@link SCHEMA_BASE_URL}.
 */
export function schemaPathForId(schemaId: string): string | undefined {
  if (!schemaId.startsWith(SCHEMA_BASE_URL)) return undefined;
  const rest = schemaId.slice(SCHEMA_BASE_URL.length).split('#')[0];
  return rest.replace(VERSION_SEGMENT, '');
}

/** The major version a schema `$id` names (`v2/...` -> 2); `undefined` for an unversioned one. */
export function schemaIdMajorVersion(schemaId: string): number | undefined {
  if (!schemaId.startsWith(SCHEMA_BASE_URL)) return undefined;
  const match = VERSION_SEGMENT.exec(schemaId.slice(SCHEMA_BASE_URL.length));
  return match === null ? undefined : Number(match[1]);
}

/**
 * A schema id as accepted by the registry: an absolute `$id`, or a path relative to `schemas/`
 * (`common/problem.json`), which is turned into its current `$id`. An unversioned
 * `https://schemas.passerelle.ontario.ca/<path>` (the `ce_dataschema` of events produced before
 * ids carried a version) names major 1 of that schema.
 */
export function normalizeSchemaId(schemaIdOrPath: string): string {
  if (!/^[a-z][a-z0-9+.-]*:/i.test(schemaIdOrPath)) return schemaIdForPath(schemaIdOrPath);
  if (schemaIdOrPath.startsWith(SCHEMA_BASE_URL) && schemaIdMajorVersion(schemaIdOrPath) === undefined) {
    return `${SCHEMA_BASE_URL}v1/${schemaIdOrPath.slice(SCHEMA_BASE_URL.length)}`;
  }
  return schemaIdOrPath;
}

/** `$id`s of the foundation schemas. */
export const SchemaIds = {
  problem: schemaIdForPath('common/problem.json'),
  health: schemaIdForPath('common/health.json'),
  healthCheck: schemaIdForPath('common/health-check.json'),
  cloudEventHeaders: schemaIdForPath('common/cloudevent-headers.json'),
  dlqHeaders: schemaIdForPath('common/dlq-headers.json'),
} as const;
