import { parse } from 'csv-parse/sync';
import { IngestErrorCode, type LineError, type LineParse } from './line-result';
import type { FieldType, SchemaFieldTypes } from './schema-field-types';

/** One column of a CSV export: a dotted path into the record and the field's JSON type. */
export interface CsvColumn {
  readonly name: string;
  readonly path: readonly string[];
  readonly pointer: string;
  readonly type: FieldType;
}

export type CsvHeader =
  { readonly ok: true; readonly columns: readonly CsvColumn[] } | { readonly ok: false; readonly errors: LineError[] };

const toPointer = (path: readonly string[]) =>
  path.map((p) => `/${p.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');

/**
 * Splits one CSV line (RFC 4180: `,` separated, `"` quoted, `""` for a quote inside quotes) into
 * cells. One record per line: a cell cannot hold a line break (array and object cells are JSON
 * text, where a line break is written `\n`).
 */
export function splitCsvLine(text: string): { ok: true; cells: string[] } | { ok: false; error: LineError } {
  try {
    const records: string[][] = parse(text, {
      record_delimiter: '\n',
      relax_column_count: true,
      skip_empty_lines: false,
    });
    return { ok: true, cells: records[0] ?? [] };
  } catch (error) {
    const message = (error as Error).message.replace(/ at line \d+/, '');
    return { ok: false, error: { pointer: '', code: IngestErrorCode.csv, message: `is not a CSV row: ${message}` } };
  }
}

/**
 * Reads the header row: each cell is the dotted path of a field of the record
 * (`personal.name.givenName`), a field that the schema knows and that is not inside an array.
 */
export function parseCsvHeader(text: string, fieldTypes: SchemaFieldTypes): CsvHeader {
  const split = splitCsvLine(text);
  if (!split.ok) return { ok: false, errors: [split.error] };
  const errors: LineError[] = [];
  const columns: CsvColumn[] = [];
  const seen = new Set<string>();
  split.cells.forEach((raw, index) => {
    const name = raw.trim();
    const path = name.split('.');
    const where = `column ${index + 1} ("${name}")`;
    if (name === '' || path.some((p) => p === '')) {
      errors.push({ pointer: '', code: IngestErrorCode.csvHeader, message: `${where} is not a dotted field path` });
      return;
    }
    const type = fieldTypes.typeAt(path);
    if (type === undefined) {
      errors.push({
        pointer: toPointer(path),
        code: IngestErrorCode.csvHeader,
        message: `${where} names no field of the record`,
      });
      return;
    }
    if (seen.has(name)) {
      errors.push({ pointer: toPointer(path), code: IngestErrorCode.csvHeader, message: `${where} appears twice` });
      return;
    }
    seen.add(name);
    columns.push({ name, path, pointer: toPointer(path), type });
  });
  for (const a of columns) {
    for (const b of columns) {
      if (a !== b && b.name.startsWith(`${a.name}.`)) {
        errors.push({
          pointer: a.pointer,
          code: IngestErrorCode.csvHeader,
          message: `column "${a.name}" holds the whole field, so column "${b.name}" cannot be used too`,
        });
      }
    }
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, columns };
}

/**
 * One CSV data row -> the nested record: an empty cell leaves its field out, a number or
 * boolean field's cell is read as such, an object or array field's cell is JSON text, any other
 * cell is the string itself.
 */
export function parseCsvRow(text: string, columns: readonly CsvColumn[]): LineParse {
  const split = splitCsvLine(text);
  if (!split.ok) return { ok: false, errors: [split.error] };
  const { cells } = split;
  if (cells.length !== columns.length) {
    return {
      ok: false,
      errors: [
        {
          pointer: '',
          code: IngestErrorCode.csv,
          message: `has ${cells.length} cells where the header has ${columns.length}`,
        },
      ],
    };
  }
  const record: Record<string, unknown> = {};
  const errors: LineError[] = [];
  columns.forEach((column, index) => {
    const cell = cells[index];
    if (cell === '') return;
    const value = cellValue(cell, column);
    if (!value.ok) {
      errors.push(value.error);
      return;
    }
    let target = record;
    for (const name of column.path.slice(0, -1)) {
      const next = target[name];
      if (typeof next === 'object' && next !== null && !Array.isArray(next)) target = next as Record<string, unknown>;
      else target = target[name] = {};
    }
    target[column.path[column.path.length - 1]] = value.value;
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: record };
}

function cellValue(cell: string, column: CsvColumn): { ok: true; value: unknown } | { ok: false; error: LineError } {
  switch (column.type) {
    case 'integer':
    case 'number':
      return { ok: true, value: /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/.test(cell) ? Number(cell) : cell };
    case 'boolean':
      return { ok: true, value: cell === 'true' ? true : cell === 'false' ? false : cell };
    case 'object':
    case 'array':
      try {
        return { ok: true, value: JSON.parse(cell) as unknown };
      } catch (error) {
        return {
          ok: false,
          error: {
            pointer: column.pointer,
            code: IngestErrorCode.json,
            message: `column "${column.name}" is not JSON text: ${(error as Error).message}`,
          },
        };
      }
    default:
      return { ok: true, value: cell };
  }
}
