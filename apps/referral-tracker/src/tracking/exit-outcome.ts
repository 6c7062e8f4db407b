import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dataDir, schemaIdForPath, schemaRegistry, type ServiceEvent } from '@passerelle/contracts';
import { label } from '@passerelle/codes';

type ExitReason = NonNullable<ServiceEvent['exit']>['exitReason'];

interface ExitOutcomes {
  completed: ExitReason[];
  failed: ExitReason[];
}

export type ExitClosure = { to: 'completed' } | { to: 'failed'; text: string };

let outcomes: ExitOutcomes | undefined;

/** `data/exit-outcomes.json`, validated once. */
export function exitOutcomes(file = join(dataDir(), 'exit-outcomes.json')): ExitOutcomes {
  if (outcomes && file === join(dataDir(), 'exit-outcomes.json')) return outcomes;
  const loaded = schemaRegistry().assert<ExitOutcomes>(
    schemaIdForPath('lifecycle/exit-outcomes.json'),
    JSON.parse(readFileSync(file, 'utf8')),
  );
  outcomes = loaded;
  return loaded;
}

/** How an EO exit closes the referral: completed, or failed with the reason's English label as its text. */
export function closureOfExit(exitReason: ExitReason): ExitClosure {
  const table = exitOutcomes();
  if (table.completed.includes(exitReason)) return { to: 'completed' };
  if (table.failed.includes(exitReason))
    return { to: 'failed', text: `exited: ${label('exit-reasons', exitReason, 'en')}` };
  throw new Error(`exit reason "${exitReason}" is in neither list of data/exit-outcomes.json`);
}
