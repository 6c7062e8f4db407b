import { CompiledQuery, type Kysely } from 'kysely';
import type { Database } from './schema';

/** Rows per statement at most (PostgreSQL takes 65,535 parameters; fewer keeps each statement short). */
const MAX_ROWS = 1_000;
const MAX_PARAMETERS = 60_000;

/** A table of the schema. */
export type TableName = Extract<keyof Database, string>;

/** The columns of table `T`. */
export type ColumnOf<T extends TableName> = Extract<keyof Database[T], string>;

/**
 * The shape of a multi-row insert into `T`: a misspelt table, or a column its table lacks, does
 * not compile. Over several tables (the default: any), one shape per table, so a descriptor typed
 * for one table still fits.
 */
export type MultiRowInsert<T extends TableName = TableName> = {
  [Table in T]: {
    table: Table;
    columns: readonly ColumnOf<Table>[];
    /** What follows the VALUES list, e.g. `on conflict (id) do nothing returning id`. */
    suffix?: string;
  };
}[T];

const texts = new Map<string, string>();

/**
 * Inserts `rows` (one value per column, in column order) with one statement per 1,000 rows, in
 * order: `insert into t (a, b) values ($1, $2), ($3, $4) <suffix>`. Set-based writers of whole
 * batches use it instead of the query builder, whose per-value work costs more than the insert
 * itself at thousands of rows; the statement text is built once per shape and row count, values
 * always go as parameters. Returns the rows of a `returning` suffix, chunk after chunk.
 */
export async function insertRows<R = Record<string, unknown>, T extends TableName = TableName>(
  // Only the executor is used, whichever tables the caller's handle is typed with.
  trx: Pick<Kysely<Database>, 'executeQuery'>,
  insert: MultiRowInsert<T>,
  rows: ReadonlyArray<readonly unknown[]>,
): Promise<R[]> {
  const width = insert.columns.length;
  const chunk = Math.max(1, Math.min(MAX_ROWS, Math.floor(MAX_PARAMETERS / width)));
  const returned: R[] = [];
  for (let at = 0; at < rows.length; at += chunk) {
    const slice = rows.slice(at, at + chunk);
    const parameters: unknown[] = [];
    for (const row of slice) {
      if (row.length !== width)
        throw new Error(`insertRows ${insert.table}: a row has ${row.length} values for ${width} columns`);
      for (const value of row) parameters.push(value);
    }
    const result = await trx.executeQuery<R>(CompiledQuery.raw(statementText(insert, slice.length), parameters));
    for (const row of result.rows) returned.push(row);
  }
  return returned;
}

function statementText(insert: { table: string; columns: readonly string[]; suffix?: string }, count: number): string {
  const key = `${insert.table}\u0000${insert.columns.join(',')}\u0000${insert.suffix ?? ''}\u0000${count}`;
  let text = texts.get(key);
  if (text === undefined) {
    const width = insert.columns.length;
    const tuples: string[] = [];
    for (let row = 0; row < count; row += 1) {
      const placeholders: string[] = [];
      for (let column = 1; column <= width; column += 1) placeholders.push(`$${row * width + column}`);
      tuples.push(`(${placeholders.join(', ')})`);
    }
    text = `insert into ${quote(insert.table)} (${insert.columns.map(quote).join(', ')}) values ${tuples.join(', ')}${insert.suffix ? ` ${insert.suffix}` : ''}`;
    // Shapes are few (constant tables and columns); row counts vary: keep the cache bounded.
    if (texts.size >= 2_000) texts.clear();
    texts.set(key, text);
  }
  return text;
}

function quote(identifier: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(identifier))
    throw new Error(`insertRows: "${identifier}" is not a plain lower-case identifier`);
  return `"${identifier}"`;
}
