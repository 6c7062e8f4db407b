/**
 * The keys a batch loads ledger rows by, and how the batch keys, compares and orders what it
 * holds exactly as PostgreSQL does (uuids in lower case, text under the C collation, bigserial
 * ids, `timestamptz` to the microsecond), so its in-memory answers match the SQL ones.
 */

/** The rows a batch may read, by key (ids in any case; uuids are compared in lower case). */
export interface LedgerKeys {
  /** Referrals by id (locked), with the events parked for them. */
  referralIds: Iterable<string>;
  /** Clients whose referrals may all be read (consent changes, parked events, "served by"). */
  clientReferrals: Iterable<string>;
  consentIds: Iterable<string>;
  spellIds: Iterable<string>;
  /** Clients whose outcomes may be read. */
  outcomeClients: Iterable<string>;
  /** Clients whose supports issued may be read. */
  supportClients: Iterable<string>;
}

/** The keys a batch loaded (lower case): what its working rows can answer for. */
export type LoadedScope = { readonly [K in keyof LedgerKeys]: ReadonlySet<string> };

/**
 * One set of keys per kind, in lower case: empty, or the ids given. What a batch is loaded for
 * (its scope) or collects keys into.
 */
export function keySets(ids: Partial<Record<keyof LedgerKeys, Iterable<string>>> = {}): {
  [K in keyof LedgerKeys]: Set<string>;
} {
  const of = (some: Iterable<string> | undefined) => new Set(some === undefined ? [] : [...some].map(uuidKey));
  return {
    referralIds: of(ids.referralIds),
    clientReferrals: of(ids.clientReferrals),
    consentIds: of(ids.consentIds),
    spellIds: of(ids.spellIds),
    outcomeClients: of(ids.outcomeClients),
    supportClients: of(ids.supportClients),
  };
}

export const noKeys = (): LedgerKeys => ({
  referralIds: [],
  clientReferrals: [],
  consentIds: [],
  spellIds: [],
  outcomeClients: [],
  supportClients: [],
});

/** The union of several events' keys. */
export function mergeKeys(all: readonly LedgerKeys[]): LedgerKeys {
  const merged = keySets();
  for (const keys of all) {
    for (const name of Object.keys(merged) as (keyof LedgerKeys)[]) for (const id of keys[name]) merged[name].add(id);
  }
  return merged;
}

/** uuid columns compare and come back in lower case. */
export const uuidKey = (id: string): string => id.toLowerCase();

/**
 * Microseconds since the epoch of an RFC 3339 time, as PostgreSQL stores it in a timestamptz
 * (fractions below the microsecond rounded): the unit "latest by event time" compares in.
 */
export function microsOf(time: string): number {
  const match = /^(.*?T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(.*)$/i.exec(time);
  const whole = Date.parse(match ? `${match[1]}${match[3]}` : time);
  if (Number.isNaN(whole)) throw new Error(`not a date-time: ${time}`);
  const fraction = match?.[2] === undefined ? 0 : Math.round(Number(`0.${match[2]}`) * 1e6);
  return whole * 1000 + fraction;
}

/** Ids as PostgreSQL orders them (lower-case uuids, and text under the C collation: code unit order). */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** bigserial ids (strings of digits). */
export function compareSerials(a: string, b: string): number {
  return a.length - b.length || compareIds(a, b);
}

/**
 * The id's key, when the batch loaded it (`loaded`) or created it (`created`): a batch answers
 * only for what it holds, and being asked for anything else is a bug in the keys an event
 * declares, not an absence.
 */
export function inScope(
  what: string,
  id: string,
  loaded: { has(key: string): boolean },
  created?: { has(key: string): boolean },
): string {
  const key = uuidKey(id);
  if (!loaded.has(key) && !created?.has(key)) throw outOfScope(what, id);
  return key;
}

function outOfScope(what: string, id: string): Error {
  return new Error(`${what} ${id} was not loaded for this batch (its keys are missing from the event's keys)`);
}
