import type { SerializedOutboxMessage, TimerSpec } from '@passerelle/persistence';
import type { AlertRow, HistoryEntry, SupportRow } from './ledger-rows';

/** What a batch writes back: rows in the form their statements take them, one list per statement. */

/** A referral row as it is to be written. */
export interface ReferralWrite {
  referralId: string;
  clientId: string;
  referrer: string;
  consentId: string;
  requestedAt: string;
  provider: string | null;
  status: string;
  businessStatus: string;
  updatedAt: string;
  snapshot: string;
  /** Inserted rows: the version to store; updated rows: how many updates to add (0: state columns unchanged). */
  version: number;
  /** Facts set by this batch (null: keep what the row holds). */
  ageBand: string | null;
  region: string | null;
  catchment: string | null;
  providerType: string | null;
  stream: string | null;
  acceptedAt: string | null;
}

export interface ConsentWrite {
  consentId: string;
  clientId: string;
  purpose: string;
  recipients: string[];
  grantedAt: string;
  expiresOn: string | null;
  withdrawnAt: string | null;
  snapshot: string;
}

export interface SpellWrite {
  employmentSpellId: string;
  clientId: string;
  referralId: string | null;
  reportedBy: string;
  startDate: string;
  eventTime: string;
}

export interface OutcomeWrite {
  clientId: string;
  outcomeType: string;
  employmentSpellId: string;
  outcomeId: string;
  referralId: string | null;
  achieved: boolean;
  observedOn: string;
  eventTime: string;
  reportedBy: string;
  snapshot: string;
}

export interface ParkedWrite {
  referralId: string;
  eventType: string;
  data: string;
  cause: string;
  eventTime: string;
}

export interface TimerCancel {
  key: string;
  at: string;
}

/** Everything a batch changed, one list per statement, in the order the statements must run. */
export interface LedgerChanges {
  insertedReferrals: ReferralWrite[];
  updatedReferrals: ReferralWrite[];
  history: HistoryEntry[];
  consents: ConsentWrite[];
  parkedInserts: ParkedWrite[];
  parkedDeletes: string[];
  spells: SpellWrite[];
  outcomes: OutcomeWrite[];
  supports: SupportRow[];
  alerts: AlertRow[];
  /**
   * Timer changes as three statements that end where the row-at-a-time calls would: cancels
   * asked before a key's first schedule (they can only hit a timer that already existed), the
   * schedules (a key's first one; an existing key keeps its row), then the first cancel after it.
   */
  timers: { cancelFirst: TimerCancel[]; schedule: TimerSpec[]; cancelAfter: TimerCancel[] };
  outbox: SerializedOutboxMessage[];
}
