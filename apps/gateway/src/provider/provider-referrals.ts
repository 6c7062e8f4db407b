import type { Referral, ReferralResponse, components } from '@passerelle/contracts';
import { transition } from '@passerelle/lifecycle';
import { AuditLog, type DatabaseHandle } from '@passerelle/persistence';
import { apiSourceRecord, type ApiEventSender } from '../api-events';
import { referralPage, type ReferralPageQuery } from '../paging/referral-pages';

export type ProviderDecision = components['schemas']['ProviderDecision'];
export type ProviderReferralPage = components['schemas']['ProviderReferralPage'];
type DeclineReason = NonNullable<ReferralResponse['declineReason']>;

const RESPONSE_TYPE = 'ca.on.passerelle.referral.response-recorded';

export type DecisionResult =
  { ok: true; decision: ProviderDecision } | { ok: false; status: 404 | 409; detail: string; code?: string };

/**
 * A provider's side of its referrals: its inbox (only referrals routed to it), and its answer to
 * one, checked against the lifecycle and sent to the tracker as `referral.response-recorded` on
 * `referrals.v1` (acks=all before the `202`).
 */
export class ProviderReferrals {
  constructor(
    private readonly database: DatabaseHandle,
    private readonly events: ApiEventSender,
  ) {}

  /** The inbox page, each referral's personal data read written to the audit log first. */
  async inbox(provider: string, subject: string, query: ReferralPageQuery): Promise<ProviderReferralPage> {
    const { referrals, next } = await referralPage(this.database, 'provider', provider, query);
    await new AuditLog(this.database.db).append(
      referrals
        .filter((r) => r.personal !== undefined)
        .map((r) => ({
          org: provider,
          subject,
          action: 'read' as const,
          resource: `referral/${r.referralId}`,
          purpose: 'service-delivery',
          clientId: r.clientId,
        })),
    );
    return { items: referrals, ...(next !== undefined && { next }) };
  }

  async decide(
    provider: string,
    referralId: string,
    answer: { decision: 'accept' } | { decision: 'decline'; declineReason: DeclineReason; note?: string },
    requestKey: string,
  ): Promise<DecisionResult> {
    const row = await this.database.db
      .selectFrom('referral')
      .select('snapshot')
      .where('referral_id', '=', referralId)
      .where('provider', '=', provider)
      .executeTakeFirst();
    if (!row) return { ok: false, status: 404, detail: 'no such referral' };
    const referral = row.snapshot as Referral;
    const to = answer.decision === 'accept' ? 'accepted' : 'rejected';
    const allowed = transition(referral.status, {
      to,
      actor: 'provider',
      ...(answer.decision === 'decline' && {
        reason: { declineReason: answer.declineReason, ...(answer.note !== undefined && { text: answer.note }) },
      }),
    });
    // Whatever the lifecycle refuses conflicts with the referral's current status: 409.
    if (!allowed.ok) return { ok: false, status: 409, detail: allowed.reason, code: allowed.code };

    const decidedAt = new Date().toISOString();
    const event = await this.events.send<ReferralResponse>({
      org: provider,
      requestKey,
      type: RESPONSE_TYPE,
      schemaPath: 'canonical/referral-response.json',
      subject: referralId,
      clientId: referral.clientId,
      route: '/v1/provider/referrals',
      time: decidedAt,
      data: {
        referralId,
        clientId: referral.clientId,
        provider: provider as ReferralResponse['provider'],
        decision: answer.decision,
        ...(answer.decision === 'decline' && {
          declineReason: answer.declineReason,
          ...(answer.note !== undefined && { note: answer.note }),
        }),
        decidedAt,
        source: apiSourceRecord(provider, requestKey),
      },
    });
    return { ok: true, decision: { referralId, decision: answer.decision, decidedAt, eventId: event.id } };
  }
}
