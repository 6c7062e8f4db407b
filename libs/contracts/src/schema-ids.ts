/**
 * Base of every schema `$id`: a schema file at `schemas/<path>` has the `$id`
 * `https://schemas.passerelle.ontario.ca/<path>`, so relative `$ref`s between files resolve the
 * same way by `$id` (Ajv) and by file path (openapi-typescript, Redocly, the docs bundler).
 */
export const SCHEMA_BASE_URL = 'https://schemas.passerelle.ontario.ca/';

/** The `$id` of the schema file at `relativePath` (relative to `schemas/`, `/` separators). */
export function schemaIdForPath(relativePath: string): string {
  return SCHEMA_BASE_URL + relativePath.replace(/\\/g, '/').replace(/^\.?\//, '');
}

/**
 * A schema id as accepted by the registry: an absolute `$id`, or a path relative to `schemas/`
 * (`common/problem.json`), which is turned into its `$id`.
 */
export function normalizeSchemaId(schemaIdOrPath: string): string {
  return /^[a-z][a-z0-9+.-]*:/i.test(schemaIdOrPath) ? schemaIdOrPath : schemaIdForPath(schemaIdOrPath);
}

/** `$id`s of the foundation schemas. */
export const SchemaIds = {
  problem: schemaIdForPath('common/problem.json'),
  health: schemaIdForPath('common/health.json'),
  healthCheck: schemaIdForPath('common/health-check.json'),
  cloudEventHeaders: schemaIdForPath('common/cloudevent-headers.json'),
  dlqHeaders: schemaIdForPath('common/dlq-headers.json'),
} as const;
