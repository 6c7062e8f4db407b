import { Kysely, PostgresDialect } from 'kysely';
import { followUpMilestone, followUpMilestoneSql } from './follow-up-milestone';

describe('followUpMilestone', () => {
  it('names each follow-up by the IES milestone it checks', () => {
    expect([1, 3, 6, 12].map((m) => followUpMilestone(m as 1 | 3 | 6 | 12))).toEqual([
      'ies-employed-1-month',
      'ies-employed-3-months',
      'ies-employed-6-months',
      'ies-employed-12-months',
    ]);
  });

  it('derives the same name in SQL from the timer row it is given', () => {
    // Compiled only: no connection is made.
    const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: {} as never }) });
    const { sql } = followUpMilestoneSql('t').compile(db);
    expect(sql).toBe(
      `'ies-employed-' || ("t"."payload"->>'months') || case when "t"."payload"->>'months' = '1' then '-month' else '-months' end`,
    );
  });
});
