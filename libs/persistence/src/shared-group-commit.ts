import type { Kysely } from 'kysely';
import { GroupCommit } from '@passerelle/group-commit';
import type { Database } from './schema';

/** Callers one statement takes at most: keeps a group's statement and its parameters bounded. */
const MAX_CALLERS_PER_STATEMENT = 500;

const groups = new WeakMap<Kysely<Database>, Map<string, GroupCommit<unknown>>>();

/**
 * The one `GroupCommit` named `name` for a database: every store built on the same pool (one per
 * controller, say) shares it, so their concurrent writes group together.
 */
export function sharedGroupCommit<T>(
  db: Kysely<Database>,
  name: string,
  write: (items: T[]) => Promise<void>,
): GroupCommit<T> {
  let named = groups.get(db);
  if (!named) {
    named = new Map();
    groups.set(db, named);
  }
  let group = named.get(name) as GroupCommit<T> | undefined;
  if (!group) {
    group = new GroupCommit(write, { maxItems: MAX_CALLERS_PER_STATEMENT });
    named.set(name, group as GroupCommit<unknown>);
  }
  return group;
}
