import type { Transaction } from 'kysely';
import type { PersonalDataVault } from '@passerelle/crypto';
import type { Database, DueTimer, FireTimers, TimerOutcome } from '@passerelle/persistence';
import type { LedgerStore } from '../ledger/ledger-store';
import { FOLLOW_UP_TIMER, type OutcomeTracking } from './outcome-tracking';
import { OVERDUE_TIMER } from './referral-routing';
import type { ReferralTracking } from './referral-tracking';
import { sealOutboxPersonal } from './tracker-personal-data';

/**
 * Fires a claimed batch of the tracker's due timers set-based: the referrals its overdue timers
 * look at are read at once (one that another transaction holds waits for the next poll, instead
 * of waiting on a lock while holding timer rows), and what they emit is written with one
 * statement per table, in the transaction that marks them fired.
 */
export class DueTimers implements FireTimers {
  constructor(
    private readonly store: LedgerStore,
    private readonly tracking: ReferralTracking,
    private readonly outcomes: OutcomeTracking,
    /** Seals the `personal` member of what the timers emit (referral.overdue carries the snapshot). */
    private readonly vault?: PersonalDataVault,
  ) {}

  async fireAll(trx: Transaction<Database>, timers: readonly DueTimer[]): Promise<TimerOutcome[]> {
    const overdue = timers.flatMap((t) => (t.kind === OVERDUE_TIMER && t.referralId !== null ? [t.referralId] : []));
    const referrals = await this.store.referralsIfFree(trx, overdue);
    const ledger = this.store.emptyBatch();
    const outcomes = timers.map((timer): TimerOutcome => {
      switch (timer.kind) {
        case OVERDUE_TIMER: {
          if (timer.referralId === null) return;
          const referral = referrals.get(timer.referralId.toLowerCase());
          if (referral === 'busy') return 'later';
          this.tracking.responseDeadlinePassed(ledger, referral, timer);
          return;
        }
        case FOLLOW_UP_TIMER:
          this.outcomes.followUpDue(ledger, timer);
          return;
        default:
          throw new Error(`timer ${timer.key} has unknown kind ${timer.kind}`);
      }
    });
    const changes = ledger.changes();
    await sealOutboxPersonal(this.vault, changes.outbox);
    await this.store.write(trx, changes);
    return outcomes;
  }
}
