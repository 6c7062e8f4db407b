import fc from 'fast-check';
import { GroupCommit } from './group-commit';

/** A write that stays open until released, to hold a group in flight. */
function gate(): { promise: Promise<void>; open: () => void; fail: (error: Error) => void } {
  let open!: () => void;
  let fail!: (error: Error) => void;
  const promise = new Promise<void>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  return { promise, open, fail };
}

describe('GroupCommit', () => {
  it('writes a lone item at once, alone', async () => {
    const writes: number[][] = [];
    const group = new GroupCommit<number>((items) => {
      writes.push(items);
      return Promise.resolve();
    });
    await group.submit(1);
    expect(writes).toEqual([[1]]);
  });

  it('groups the items that arrive while a write runs into the next write, in order', async () => {
    const writes: number[][] = [];
    const first = gate();
    const group = new GroupCommit<number>(async (items) => {
      writes.push(items);
      if (items[0] === 1) await first.promise;
    });
    const submitted = [1, 2, 3, 4].map((n) => group.submit(n));
    expect(group.waiting).toBe(3);
    first.open();
    await Promise.all(submitted);
    expect(writes).toEqual([[1], [2, 3, 4]]);
  });

  it('fails only the callers of the failed write; the next group is still written', async () => {
    const first = gate();
    const written: number[] = [];
    const group = new GroupCommit<number>(async (items) => {
      if (items[0] === 1) await first.promise;
      if (items.includes(2)) throw new Error('constraint violated');
      written.push(...items);
    });
    const one = group.submit(1);
    const two = group.submit(2);
    const three = group.submit(3);
    first.open();
    await expect(one).resolves.toBeUndefined();
    await expect(two).rejects.toThrow('constraint violated');
    await expect(three).rejects.toThrow('constraint violated');
    await expect(group.submit(4)).resolves.toBeUndefined();
    expect(written).toEqual([1, 4]);
  });

  it('never puts more than maxItems in one write', async () => {
    const first = gate();
    const sizes: number[] = [];
    const group = new GroupCommit<number>(
      async (items) => {
        sizes.push(items.length);
        if (items[0] === 0) await first.promise;
      },
      { maxItems: 2 },
    );
    const submitted = [0, 1, 2, 3, 4].map((n) => group.submit(n));
    first.open();
    await Promise.all(submitted);
    expect(sizes).toEqual([1, 2, 2]);
  });

  it('refuses a maxItems below one', () => {
    expect(() => new GroupCommit<number>(() => Promise.resolve(), { maxItems: 0 })).toThrow(RangeError);
  });

  it('writes every item exactly once, in submission order, whatever the timing and failures', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.nat(3), fc.boolean()), { minLength: 1, maxLength: 40 }), async (plan) => {
        const written: number[] = [];
        const group = new GroupCommit<number>(async (items) => {
          await new Promise((resolve) => setTimeout(resolve, plan[items[0]][0]));
          if (items.some((i) => plan[i][1])) throw new Error('refused');
          written.push(...items);
        });
        const outcomes = await Promise.allSettled(plan.map((_, i) => group.submit(i)));
        // Sorted: each item written once, groups in submission order.
        expect(written).toEqual([...written].sort((a, b) => a - b));
        for (const [i, outcome] of outcomes.entries()) {
          expect(written.includes(i)).toBe(outcome.status === 'fulfilled');
        }
        // Nothing refused by itself succeeds.
        for (const [i, [, refused]] of plan.entries()) if (refused) expect(outcomes[i].status).toBe('rejected');
      }),
      { numRuns: 50 },
    );
  });
});
