import type { ReferralStatusChange } from '@passerelle/contracts';
import { LifecycleRefusal, isTerminal, transition, type ReferralStatus, type StatusChange } from './referral-lifecycle';
import { TAKEN_ON_STATUSES } from './status-groups';

/**
 * The changes a provider or a referrer asks for by name (`referral.status-change-requested`, sent
 * by the gateway's lifecycle endpoints), and the rules both the gateway (`409`) and the tracker
 * (DLQ) check them by: the lifecycle table, plus the no-show, which moves only the business status.
 */
export type StatusChangeKind = ReferralStatusChange['change'];
export type StatusChangeActor = ReferralStatusChange['actor'];

/**
 * The lifecycle change a request asks for, as `transition()` checks it; `undefined` for a no-show,
 * which moves only the business status (to `event-unattended`).
 */
export function statusChangeOf(
  change: StatusChangeKind,
  actor: StatusChangeActor,
  reason: string | undefined,
): StatusChange | undefined {
  const why = reason === undefined ? {} : { reason: { text: reason } };
  switch (change) {
    case 'on-hold':
      return { to: 'on-hold', actor, ...why };
    case 'resume':
      return { to: 'in-progress', actor };
    case 'cancel':
      return { to: 'cancelled', actor, ...why };
    case 'entered-in-error':
      return { to: 'entered-in-error', actor };
    case 'no-show':
      return undefined;
  }
}

/**
 * Whether a referral in `status` allows the change, by the same rules the tracker applies: the
 * lifecycle table for status changes (a resumption only from on-hold); for a no-show, a referral the provider took on and still open.
 */
export function checkStatusChange(
  status: ReferralStatus,
  change: StatusChangeKind,
  actor: StatusChangeActor,
  reason: string | undefined,
): { ok: true } | { ok: false; code: LifecycleRefusal; reason: string } {
  // Resuming is leaving on-hold only: accepted -> in-progress is the start of the service, not a resumption.
  if (change === 'resume' && status !== 'on-hold')
    return {
      ok: false,
      code: LifecycleRefusal.IllegalTransition,
      reason: `Only a referral on hold can be resumed; this one is ${status}.`,
    };
  const asked = statusChangeOf(change, actor, reason);
  if (asked !== undefined) return transition(status, asked);
  if (actor === 'provider' && TAKEN_ON_STATUSES.has(status) && !isTerminal(status)) return { ok: true };
  return {
    ok: false,
    code: LifecycleRefusal.IllegalTransition,
    reason: `A no-show cannot be recorded on a referral that is ${status}.`,
  };
}
