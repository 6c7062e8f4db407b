import { types } from 'pg';

/**
 * How the pool reads a `date` column: what a date read back from PostgreSQL is. Code that must
 * answer exactly as a query would (the tracker's in-memory ledger batch) takes this reader rather
 * than knowing the driver.
 */
export const readDateColumn: (text: string) => Date = types.getTypeParser(types.builtins.DATE, 'text') as (
  text: string,
) => Date;
