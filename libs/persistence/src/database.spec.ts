import type { MigrationResultSet } from 'kysely';
import { isOtherSchemaVanished } from './database';

const pgError = (code: string, message: string): Error & { code: string } =>
  Object.assign(new Error(message), { code });
const failed = (error: unknown, results?: MigrationResultSet['results']): MigrationResultSet => ({ error, results });

describe('isOtherSchemaVanished', () => {
  it('retries what introspection meets when another schema, table or column goes mid-query', () => {
    expect(isOtherSchemaVanished(failed(pgError('3F000', 'schema "t_churn_1" does not exist')), 'ours')).toBe(true);
    expect(isOtherSchemaVanished(failed(pgError('42P01', 'relation "t_churn_1.x" does not exist')), 'ours')).toBe(true);
    expect(
      isOtherSchemaVanished(failed(pgError('42703', 'column "offset" of relation "inbox" does not exist')), 'ours'),
    ).toBe(true);
  });

  it('does not retry a failure of our own: our schema, one of our migrations, another error, or none', () => {
    expect(isOtherSchemaVanished(failed(pgError('3F000', 'schema "ours" does not exist')), 'ours')).toBe(false);
    expect(
      isOtherSchemaVanished(
        failed(pgError('42703', 'column "x" does not exist'), [
          { migrationName: '0013_audit_append', direction: 'Up', status: 'Error' },
        ]),
        'ours',
      ),
    ).toBe(false);
    expect(isOtherSchemaVanished(failed(pgError('42601', 'syntax error')), 'ours')).toBe(false);
    expect(isOtherSchemaVanished({ results: [] }, 'ours')).toBe(false);
  });
});
