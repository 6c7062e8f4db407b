import { isCode, label, type CodeTableName, type Lang } from '@passerelle/codes';
import type { components } from '@passerelle/contracts';
import type { RecordedChange } from '../ledger/referral-timeline-read-model';

export type ReferralHistory = components['schemas']['ReferralHistory'];
export type ReferralHistoryEntry = ReferralHistory['items'][number];
type ReferralStatusCode = ReferralHistoryEntry['toStatus'];
type BusinessStatusCode = ReferralHistoryEntry['businessStatus'];
type ActorKind = ReferralHistoryEntry['actor']['kind'];

/**
 * The code tables a coded reason may come from, in the order they are asked: a provider's decline,
 * or the gateway's own reasons (routing refusals, consent checks, `OVERDUE`). A code in none of
 * them goes unlabelled.
 */
const REASON_TABLES: readonly CodeTableName[] = ['decline-reasons', 'referral-change-reasons'];

const ACTOR_KINDS: readonly string[] = ['referrer', 'provider', 'system'] satisfies ActorKind[];

/** What the tracker stored as a change's reason, as one shape: a code, words, or both. */
export function reasonOf(stored: unknown): ReferralHistoryEntry['reason'] {
  if (typeof stored !== 'object' || stored === null) return undefined;
  const { declineReason, code, text, field } = stored as Record<string, unknown>;
  // A decline keeps its code as `declineReason` (the Referral's statusReason); the tracker's own as `code`.
  const coded = typeof declineReason === 'string' ? declineReason : typeof code === 'string' ? code : undefined;
  const words = typeof text === 'string' ? text : undefined;
  if (coded === undefined && words === undefined) return undefined;
  return {
    ...(coded !== undefined && { code: coded }),
    ...(words !== undefined && { text: words }),
    // A refusal by the gateway after its 202 names the field at fault in the referrer's record.
    ...(typeof field === 'string' && { field }),
  };
}

/** The label of a coded reason in `language`, when a code table holds the code. */
export function reasonLabel(code: string, language: Lang): string | undefined {
  const table = REASON_TABLES.find((name) => isCode(name, code));
  return table === undefined ? undefined : label(table, code, language);
}

/** One recorded change as the referrer reads it, with its codes' labels in `language`. */
export function historyEntry(change: RecordedChange, language: Lang): ReferralHistoryEntry {
  const from = change.fromStatus as ReferralStatusCode | null;
  const to = change.toStatus as ReferralStatusCode;
  const businessStatus = change.businessStatus as BusinessStatusCode;
  const reason = reasonOf(change.reason);
  const reasonText = reason?.code === undefined ? undefined : reasonLabel(reason.code, language);
  return {
    ...(from !== null && { fromStatus: from }),
    toStatus: to,
    businessStatus,
    actor: {
      // Rows are written by the tracker with one of these; anything else reads as the tracker's own doing.
      kind: (ACTOR_KINDS.includes(change.actor) ? change.actor : 'system') as ActorKind,
      org: change.actorOrg,
    },
    ...(reason !== undefined && { reason }),
    occurredAt: change.occurredAt.toISOString(),
    recordedAt: change.recordedAt.toISOString(),
    eventId: change.eventId,
    labels: {
      ...(from !== null && { fromStatus: label('referral-statuses', from, language) }),
      toStatus: label('referral-statuses', to, language),
      businessStatus: label('referral-business-statuses', businessStatus, language),
      ...(reasonText !== undefined && { reason: reasonText }),
    },
  };
}

/** A referral's history, oldest change first. */
export function referralHistory(referralId: string, changes: RecordedChange[], language: Lang): ReferralHistory {
  return { referralId, items: changes.map((change) => historyEntry(change, language)) };
}
