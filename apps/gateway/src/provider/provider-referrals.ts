import { createHash } from 'node:crypto';
import { schemaIdForPath, type CanonicalEvent, type Referral, type ReferralResponse, type components } from '@passerelle/contracts';
import { LifecycleRefusal, transition } from '@passerelle/lifecycle';
import { deterministicEventId, type EventPublisher } from '@passerelle/messaging';
import { AuditLog, type DatabaseHandle } from '@passerelle/persistence';
import { referralPage, type ReferralPageQuery } from '../paging/referral-pages';

export type ProviderDecision = components['schemas']['ProviderDecision'];
export type ProviderReferralPage = components['schemas']['ProviderReferralPage'];
type DeclineReason = NonNullable<ReferralResponse['declineReason']>;

const RESPONSE_TYPE = 'ca.on.passerelle.referral.response-recorded';

export type DecisionResult =
  | { ok: true; decision: ProviderDecision }
  | { ok: false; status: 404 | 409; detail: string; code?: string };

/** Why the lifecycle refuses, as an HTTP status: a change the current status does not allow is a conflict. */
const REFUSAL_STATUS: Record<LifecycleRefusal, 409> = {
  [LifecycleRefusal.IllegalTransition]: 409,
  [LifecycleRefusal.ActorNotAllowed]: 409,
  [LifecycleRefusal.ReasonRequired]: 409,
};

/**
 * A provider's side of its referrals: its inbox (only referrals routed to it), and its answer to
 * one, checked against the lifecycle and sent to the tracker as `referral.response-recorded` on
 * `referrals.v1` (acks=all before the `202`).
 */
export class ProviderReferrals {
  constructor(
    private readonly database: DatabaseHandle,
    private readonly publisher: EventPublisher,
    private readonly referralsTopic: string,
  ) {}

  /** The inbox page, each referral's personal data read written to the audit log first. */
  async inbox(provider: string, subject: string, query: ReferralPageQuery): Promise<ProviderReferralPage> {
    const { referrals, next } = await referralPage(this.database, 'provider', provider, query);
    await new AuditLog(this.database.db).append(
      referrals
        .filter((r) => r.personal !== undefined)
        .map((r) => ({ org: provider, subject, action: 'read' as const, resource: `referral/${r.referralId}`, purpose: 'service-delivery', clientId: r.clientId })),
    );
    return { items: referrals, ...(next !== undefined && { next }) };
  }

  async decide(provider: string, referralId: string, answer: { decision: 'accept' } | { decision: 'decline'; declineReason: DeclineReason; note?: string }, requestKey: string): Promise<DecisionResult> {
    const row = await this.database.db.selectFrom('referral').select('snapshot').where('referral_id', '=', referralId).where('provider', '=', provider).executeTakeFirst();
    if (!row) return { ok: false, status: 404, detail: 'no such referral' };
    const referral = row.snapshot as Referral;
    const to = answer.decision === 'accept' ? 'accepted' : 'rejected';
    const allowed = transition(referral.status, {
      to,
      actor: 'provider',
      ...(answer.decision === 'decline' && { reason: { declineReason: answer.declineReason, ...(answer.note !== undefined && { text: answer.note }) } }),
    });
    if (!allowed.ok) return { ok: false, status: REFUSAL_STATUS[allowed.code], detail: allowed.reason, code: allowed.code };

    const decidedAt = new Date().toISOString();
    const data: ReferralResponse = {
      referralId,
      clientId: referral.clientId,
      provider: provider as ReferralResponse['provider'],
      decision: answer.decision,
      ...(answer.decision === 'decline' && { declineReason: answer.declineReason, ...(answer.note !== undefined && { note: answer.note }) }),
      decidedAt,
      source: { system: 'passerelle-api', recordId: `api-${createHash('sha256').update(`${provider}|${requestKey}`).digest('hex').slice(0, 32)}`, recordVersion: 1 },
    };
    const event: CanonicalEvent<ReferralResponse> = {
      specversion: '1.0',
      // From the provider, the referral and its Idempotency-Key: a retried request is the same event.
      id: deterministicEventId({ sourceSystem: `passerelle-api:${provider}`, recordId: referralId, version: requestKey, type: RESPONSE_TYPE }),
      source: '/v1/provider/referrals',
      type: RESPONSE_TYPE,
      time: decidedAt,
      subject: referralId,
      dataschema: schemaIdForPath('canonical/referral-response.json'),
      partitionkey: referral.clientId,
      datacontenttype: 'application/json',
      data,
    };
    await this.publisher.publish(this.referralsTopic, [event]);
    return { ok: true, decision: { referralId, decision: answer.decision, decidedAt, eventId: event.id } };
  }
}
