import type { FieldError } from '@passerelle/contracts';

/** Why one line of a bulk upload was rejected: a JSON pointer into the record, a code, a message. */
export type LineError = FieldError;

/** A line turned into a record, or the reasons it could not be. */
export type LineParse =
  { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly errors: LineError[] };

/** Codes of the errors the ingest adds to the JSON Schema keywords of `schemaRegistry().validate`. */
export const IngestErrorCode = {
  /** The line is not one JSON value (NDJSON). */
  json: 'json',
  /** The line is not a CSV row (quoting), or has the wrong number of cells. */
  csv: 'csv',
  /** The CSV header row is unusable; every row after it is rejected with this code. */
  csvHeader: 'csv-header',
  /** The line is longer than the configured maximum. */
  tooLarge: 'too-large',
  /** The line is not UTF-8. */
  encoding: 'encoding',
  /** A source code with no canonical mapping. */
  unmappedCode: 'unmapped-code',
  /** The record belongs to another delivery agent than the caller's organization. */
  otherDeliveryAgent: 'other-delivery-agent',
  /** The record belongs to another ODSP office than the caller's organization. */
  otherOffice: 'other-office',
} as const;
