export interface Slot {
  /** Gives the slot back; a second call does nothing. */
  release(): void;
}

/** At most `size` requests in flight. */
export class Slots {
  private free: number;
  private readonly waiting: Array<() => void> = [];

  constructor(size: number) {
    this.free = size;
  }

  async acquire(): Promise<Slot> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    let held = true;
    return {
      release: () => {
        if (!held) return;
        held = false;
        const next = this.waiting.shift();
        if (next) next();
        else this.free++;
      },
    };
  }
}
