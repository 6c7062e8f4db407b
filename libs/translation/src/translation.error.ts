/** Why a source record could not become canonical events; each code ends up in `dlq_error_code`. */
export enum TranslationErrorCode {
  /** The raw record does not satisfy its source schema. */
  SchemaViolation = 'SOURCE_SCHEMA_VIOLATION',
  /**
   * The adapter's mapping refused the record: a source code with no canonical mapping (never
   * turned into "unknown"), or entries that contradict each other; the reasons say which.
   */
  MappingRefused = 'SOURCE_RECORD_REFUSED',
  /** The mapping produced an event its canonical schema refuses: a mapping bug, not bad input. */
  CanonicalViolation = 'CANONICAL_SCHEMA_VIOLATION',
}

/** Retrying cannot help any of these: the record goes straight to the DLQ with the reason. */
export class TranslationError extends Error {
  readonly retriable = false;
  constructor(
    readonly code: TranslationErrorCode,
    readonly reasons: string[],
  ) {
    super(`${code}: ${reasons.join('; ')}`);
    this.name = 'TranslationError';
  }
}
