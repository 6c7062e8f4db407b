/** How long each kind of data is kept (README, "Retention"), as the retention settings give it. */
export interface RetentionPolicy {
  closedReferralPersonalDays: number;
  webhookDeliveryDays: number;
  idempotencyKeyHours: number;
  inboxDays: number;
  /** After a client's key was last used and its referrals last changed, none open: the key and links go. */
  clientKeyDays: number;
  /** Fired or cancelled timers, resolved link conflicts, acknowledged alerts: after they were done. */
  closedRecordDays: number;
  /** Absent: audit entries are kept forever. */
  auditLogDays?: number;
}

/** What one retention run purges, each past its own cutoff. */
export const RETENTION_KINDS = [
  'closed-referral-personal',
  'client-keys',
  'webhook-deliveries',
  'idempotency-keys',
  'inbox',
  'closed-records',
  'audit-log',
  'retention-runs',
] as const;
export type RetentionKind = (typeof RETENTION_KINDS)[number];

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** The job's own log of runs: a month is enough to see it ran (each run is in the audit log too). */
export const RETENTION_RUN_LOG_DAYS = 30;

/**
 * Each kind's cutoff for a run at `now`: what is older (strictly before the cutoff) is due. Days
 * are 24-hour spans, so a cutoff does not move with daylight saving time. A kind kept forever has
 * none.
 */
export function retentionCutoffs(now: Date, policy: RetentionPolicy): Partial<Record<RetentionKind, Date>> {
  const before = (ms: number) => new Date(now.getTime() - ms);
  return {
    'closed-referral-personal': before(policy.closedReferralPersonalDays * DAY_MS),
    'client-keys': before(policy.clientKeyDays * DAY_MS),
    'webhook-deliveries': before(policy.webhookDeliveryDays * DAY_MS),
    'idempotency-keys': before(policy.idempotencyKeyHours * HOUR_MS),
    inbox: before(policy.inboxDays * DAY_MS),
    'closed-records': before(policy.closedRecordDays * DAY_MS),
    ...(policy.auditLogDays !== undefined && { 'audit-log': before(policy.auditLogDays * DAY_MS) }),
    'retention-runs': before(RETENTION_RUN_LOG_DAYS * DAY_MS),
  };
}

/**
 * The schedule slot `now` falls in: runs are claimed per slot, so however many replicas tick in
 * one interval, one of them purges. Slots are aligned on the Unix epoch, alike in every replica.
 */
export function retentionSlot(now: Date, intervalMs: number): Date {
  if (!Number.isInteger(intervalMs) || intervalMs < 1)
    throw new RangeError(`interval ${intervalMs} ms is not a positive integer`);
  return new Date(Math.floor(now.getTime() / intervalMs) * intervalMs);
}
