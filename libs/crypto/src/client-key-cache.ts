/** What the cache keeps of one client: its entry, until when it may be used without asking again. */
export interface Expiring {
  until: number;
}

/**
 * Clients' data keys (or the knowledge that none exists or that it was erased) held in memory
 * for a short time, and for at most `maxEntries` clients: the least recently stored go first.
 * Bounded because a bulk sync touches each client once, and a cache that kept every client it
 * ever saw would grow with the province (and hold clear data keys longer than needed).
 */
export class ClientKeyCache<T extends Expiring> {
  private readonly entries = new Map<string, T>();

  constructor(private readonly maxEntries: number) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1)
      throw new RangeError(`a key cache holds at least one entry, not ${maxEntries}`);
  }

  /** The client's entry if it is still fresh at `now`; an expired one is dropped. */
  fresh(clientId: string, now: number): T | undefined {
    const entry = this.entries.get(clientId);
    if (entry === undefined) return undefined;
    if (entry.until > now) return entry;
    this.entries.delete(clientId);
    return undefined;
  }

  set(clientId: string, entry: T): void {
    // Re-inserted at the end: Map order is the eviction order.
    this.entries.delete(clientId);
    this.entries.set(clientId, entry);
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.maxEntries) break;
      this.entries.delete(oldest);
    }
  }

  delete(clientId: string): void {
    this.entries.delete(clientId);
  }

  get size(): number {
    return this.entries.size;
  }
}
