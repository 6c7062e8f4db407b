/**
 * Runs `batch` (one statement, at most `batchRows` rows, its own transaction) until a batch comes
 * back short: a large backlog is many short statements, never one long lock.
 */
export async function inBatches(batchRows: number, batch: () => Promise<number>): Promise<number> {
  let total = 0;
  for (;;) {
    const done = await batch();
    total += done;
    if (done < batchRows) return total;
  }
}

export const affected = (result: { numAffectedRows?: bigint }): number => Number(result.numAffectedRows ?? 0n);
