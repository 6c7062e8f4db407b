import type { CompiledQuery, QueryResult } from 'kysely';
import { insertRows, type MultiRowInsert } from './multi-row-insert';

/** An executor that keeps the statements it is given and returns no rows. */
function recorder() {
  const statements: Array<{ sql: string; parameters: readonly unknown[] }> = [];
  const executor = {
    executeQuery: <R>(query: CompiledQuery<R>): Promise<QueryResult<R>> => {
      statements.push({ sql: query.sql, parameters: query.parameters });
      return Promise.resolve({ rows: [] });
    },
  };
  return { statements, executor: executor as Parameters<typeof insertRows>[0] };
}

describe('insertRows', () => {
  it('writes rows in order, one statement per 1,000, values as parameters', async () => {
    const { statements, executor } = recorder();
    const rows = Array.from({ length: 1_001 }, (_, n) => [`topic-${n}`, `{"n":${n}}`]);
    await insertRows(executor, { table: 'outbox', columns: ['topic', 'event'] }, rows);
    expect(statements).toHaveLength(2);
    expect(statements[0].sql.startsWith('insert into "outbox" ("topic", "event") values ($1, $2), ($3, $4)')).toBe(
      true,
    );
    expect(statements[0].parameters).toHaveLength(2_000);
    expect(statements[1]).toEqual({
      sql: 'insert into "outbox" ("topic", "event") values ($1, $2)',
      parameters: ['topic-1000', '{"n":1000}'],
    });
  });

  it('appends the suffix and writes nothing for no rows', async () => {
    const { statements, executor } = recorder();
    const claim: MultiRowInsert<'inbox'> = {
      table: 'inbox',
      columns: ['consumer', 'event_id'],
      suffix: 'on conflict (consumer, event_id) do nothing returning event_id',
    };
    await insertRows(executor, claim, []);
    await insertRows(executor, claim, [['c', 'e']]);
    expect(statements.map((s) => s.sql)).toEqual([
      'insert into "inbox" ("consumer", "event_id") values ($1, $2) on conflict (consumer, event_id) do nothing returning event_id',
    ]);
  });

  it('refuses, at compile time, a misspelt table and a column its table lacks', () => {
    const shapes = [
      // @ts-expect-error no table "outboxes"
      { table: 'outboxes', columns: ['topic'] } satisfies MultiRowInsert,
      // @ts-expect-error "event_id" is a column of inbox, not of outbox
      { table: 'outbox', columns: ['topic', 'event_id'] } satisfies MultiRowInsert,
      // @ts-expect-error misspelt column
      { table: 'inbox', columns: ['consumer', 'eventid'] } satisfies MultiRowInsert<'inbox'>,
    ];
    expect(shapes).toHaveLength(3);
  });
});
