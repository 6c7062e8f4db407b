import { GroupCommit } from './group-commit';

/** Callers one statement takes at most: keeps a group's statement and its parameters bounded. */
const MAX_CALLERS_PER_STATEMENT = 500;

const groups = new WeakMap<object, Map<string, GroupCommit<unknown>>>();

/**
 * The one `GroupCommit` named `name` for a database: every store built on the same pool (one per
 * controller, say) shares it, so their concurrent writes group together.
 */
export function sharedGroupCommit<T>(
  /** The Kysely instance of the pool, whatever tables it is typed with: only its identity counts. */
  db: object,
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
