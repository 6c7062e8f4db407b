interface Pending<T> {
  item: T;
  done: () => void;
  failed: (error: unknown) => void;
}

export interface GroupCommitOptions {
  /** Most items one write takes; the rest wait for the next (bounds a statement's or request's size). */
  maxItems?: number;
}

/**
 * Group commit: `submit` resolves once its item was written. Items submitted while a write runs
 * are written together by the next one, in submission order, so N concurrent callers cost about
 * one write per group rather than N. A write is all or nothing for its group: when it fails,
 * every caller in that group gets the error (and may retry); later groups are still written.
 */
export class GroupCommit<T> {
  private readonly queue: Pending<T>[] = [];
  private writing = false;
  private readonly maxItems: number;

  constructor(
    private readonly write: (items: T[]) => Promise<void>,
    options: GroupCommitOptions = {},
  ) {
    this.maxItems = options.maxItems ?? Number.POSITIVE_INFINITY;
    if (!(this.maxItems >= 1)) throw new RangeError('maxItems must be at least 1');
  }

  submit(item: T): Promise<void> {
    return new Promise((done, failed) => {
      this.queue.push({ item, done, failed });
      if (!this.writing) void this.drain();
    });
  }

  /** Items waiting for a write (not counting the one in flight). */
  get waiting(): number {
    return this.queue.length;
  }

  private async drain(): Promise<void> {
    this.writing = true;
    while (this.queue.length > 0) {
      const group = this.queue.splice(0, this.maxItems);
      try {
        await this.write(group.map((p) => p.item));
        for (const p of group) p.done();
      } catch (error) {
        for (const p of group) p.failed(error);
      }
    }
    this.writing = false;
  }
}
