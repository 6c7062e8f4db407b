import type { Consent, OutcomeMilestone, Referral } from '@passerelle/contracts';
import type { SerializedOutboxMessage, TimerSpec } from '@passerelle/persistence';
import { BatchConsents } from './batch-consents';
import { BatchOutcomes, type SpellReport } from './batch-outcomes';
import { BatchReferrals } from './batch-referrals';
import type { LedgerChanges, TimerCancel } from './ledger-changes';
import { keySets } from './ledger-keys';
import type {
  DateColumnReader,
  HistoryEntry,
  LoadedLedger,
  ParkedEvent,
  ReferralFacts,
  ReferralFactsChange,
  StoredConsent,
  SupportRow,
  AlertRow,
} from './ledger-rows';

type TimerOp = { schedule: TimerSpec } | { cancel: TimerCancel };

/**
 * The unit of work of one batch of events: the tracker's ledger rows the batch touches, in
 * memory, loaded with one select per table (`LedgerStore`), read and changed by the use cases
 * event after event, and written back with one statement per table before the batch commits.
 * Every answer is the one the SQL of the row-at-a-time ledger gave inside the same transaction
 * (same filters, orderings, "latest by event time" rules, uuid columns compared and returned in
 * lower case, dates as the pool reads them); reading a row that was not loaded is a bug and
 * throws instead of answering "absent". No I/O: the SQL edge loads and writes.
 */
export class LedgerBatch {
  private readonly referrals: BatchReferrals;
  private readonly consents: BatchConsents;
  private readonly outcomes: BatchOutcomes;
  private readonly history: HistoryEntry[] = [];
  private readonly timerOps = new Map<string, TimerOp[]>();
  private readonly outbox: SerializedOutboxMessage[] = [];
  private readonly alerts: AlertRow[] = [];

  /** `readDate`: how the SQL edge reads a `date` column, for the dates the batch itself sets. */
  constructor(loaded: LoadedLedger, readDate: DateColumnReader) {
    this.referrals = new BatchReferrals(loaded.scope, loaded.referrals, loaded.parked);
    this.consents = new BatchConsents(loaded.scope.consentIds, loaded.consents, readDate);
    this.outcomes = new BatchOutcomes(loaded.scope, loaded, readDate);
  }

  /** A batch with nothing loaded: for work that only writes (history, outbox). */
  static empty(readDate: DateColumnReader): LedgerBatch {
    const rows = { referrals: [], parked: [], consents: [], spells: [], outcomes: [], supports: [] };
    return new LedgerBatch({ scope: keySets(), ...rows }, readDate);
  }

  // --- referrals -------------------------------------------------------------------------

  /** The referral (its current snapshot), or undefined if the ledger has none with this id. */
  referral(referralId: string): Referral | undefined {
    return this.referrals.referral(referralId);
  }

  /** Referrals of a client in the given statuses, oldest first (then by id). */
  referralsOfClient(clientId: string, statuses: readonly string[]): Referral[] {
    return this.referrals.referralsOfClient(clientId, statuses);
  }

  insertReferral(referral: Referral): void {
    this.referrals.insertReferral(referral);
  }

  /** Replaces the referral's snapshot and state columns (no row: nothing happens, as an UPDATE). */
  updateReferral(referral: Referral): void {
    this.referrals.updateReferral(referral);
  }

  record(entry: HistoryEntry): void {
    this.history.push(entry);
  }

  /** Keeps what reports need when a referral is routed (region, catchment, provider type, age band), assessed (stream) or accepted. */
  setReferralFacts(referralId: string, facts: ReferralFactsChange): void {
    this.referrals.setReferralFacts(referralId, facts);
  }

  referralFacts(referralId: string): ReferralFacts | undefined {
    return this.referrals.referralFacts(referralId);
  }

  /**
   * The referral an event of `provider` about `clientId` belongs to when the event does not say:
   * the latest referral of that client the provider took on.
   */
  referralServedBy(clientId: string, provider: string): string | undefined {
    return this.referrals.referralServedBy(clientId, provider);
  }

  // --- parked events ---------------------------------------------------------------------

  /** Keeps an event about a referral not seen yet, to apply when it is recorded. */
  park(referralId: string, event: ParkedEvent): void {
    this.referrals.park(referralId, event);
  }

  /** Referrals of a client that are routed and have parked events waiting, by id. */
  routedWithParkedEvents(clientId: string): string[] {
    return this.referrals.routedWithParkedEvents(clientId);
  }

  /** The events parked for a referral, oldest event first, removed from the parking. */
  unpark(referralId: string): ParkedEvent[] {
    return this.referrals.unpark(referralId);
  }

  // --- consents --------------------------------------------------------------------------

  /** Keeps the latest word on a consent: a grant never undoes a withdrawal already recorded. */
  saveConsent(consent: Consent): void {
    this.consents.save(consent);
  }

  consent(consentId: string): StoredConsent | undefined {
    return this.consents.consent(consentId);
  }

  // --- employment spells, outcomes, supports ---------------------------------------------

  /** Keeps a job; a later word on it (by event time) moves its start date. */
  saveSpell(spell: SpellReport): void {
    this.outcomes.saveSpell(spell);
  }

  spellStart(employmentSpellId: string): string | undefined {
    return this.outcomes.spellStart(employmentSpellId);
  }

  /**
   * Records a milestone unless a later word on it (by event time) is already kept: a late or
   * replayed update never overwrites a later one. Returns whether this one is now the latest.
   */
  recordOutcome(outcome: OutcomeMilestone, referralId: string | undefined, eventTime: string): boolean {
    return this.outcomes.recordOutcome(outcome, referralId, eventTime);
  }

  /** Outcome types already recorded for a job. */
  reportedMilestones(clientId: string, employmentSpellId: string): Set<string> {
    return this.outcomes.reportedMilestones(clientId, employmentSpellId);
  }

  /** Saves a support issued; returns the supports of the same type to the same client by another network whose periods overlap. */
  saveSupport(support: SupportRow): SupportRow[] {
    return this.outcomes.saveSupport(support);
  }

  /** Keeps an alert for a referrer's caseworker (an alert already kept under its id stays as it is). */
  raiseAlert(alert: AlertRow): void {
    this.alerts.push(alert);
  }

  // --- what the batch emits and schedules ------------------------------------------------

  /** Events to relay, serialized now: what is emitted cannot change afterwards. */
  emit(messages: readonly { topic: string; event: object }[]): void {
    for (const m of messages) this.outbox.push({ topic: m.topic, json: JSON.stringify(m.event) });
  }

  scheduleTimer(timer: TimerSpec): void {
    this.timerOpsOf(timer.key).push({ schedule: timer });
  }

  cancelTimer(key: string, at: string): void {
    this.timerOpsOf(key).push({ cancel: { key, at } });
  }

  /** What to write, one list per statement. */
  changes(): LedgerChanges {
    return {
      ...this.referrals.changes(),
      history: [...this.history],
      ...this.consents.changes(),
      ...this.outcomes.changes(),
      alerts: [...this.alerts],
      timers: this.timerChanges(),
      outbox: [...this.outbox],
    };
  }

  /**
   * Timer changes as three statements that end where one call after another would: a key's
   * first cancel before its first schedule, that schedule, then its first cancel after it.
   */
  private timerChanges(): LedgerChanges['timers'] {
    const cancelFirst: TimerCancel[] = [];
    const schedule: TimerSpec[] = [];
    const cancelAfter: TimerCancel[] = [];
    for (const ops of this.timerOps.values()) {
      const first = ops.findIndex((op) => 'schedule' in op);
      const before = ops.slice(0, first === -1 ? ops.length : first).find(isCancel);
      if (before) cancelFirst.push(before.cancel);
      const scheduled = ops[first];
      if (first === -1 || !('schedule' in scheduled)) continue;
      schedule.push(scheduled.schedule);
      const after = ops.slice(first + 1).find(isCancel);
      if (after) cancelAfter.push(after.cancel);
    }
    return { cancelFirst, schedule, cancelAfter };
  }

  private timerOpsOf(key: string): TimerOp[] {
    let ops = this.timerOps.get(key);
    if (!ops) this.timerOps.set(key, (ops = []));
    return ops;
  }
}

function isCancel(op: TimerOp): op is { cancel: TimerCancel } {
  return 'cancel' in op;
}
