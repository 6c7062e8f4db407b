import type { Referral, ReferralCancellation, components } from '@passerelle/contracts';
import { transition } from '@passerelle/lifecycle';
import type { DatabaseHandle } from '@passerelle/persistence';
import { apiSourceRecord, type ApiEventSender } from '../api-events';
import { referralPage, type ReferralPageQuery } from '../paging/referral-pages';
import { statusView } from './referral-status';

export type ReferralChangeRequested = components['schemas']['ReferralChangeRequested'];
export type ReferralStatusPage = components['schemas']['ReferralStatusPage'];

const CANCELLATION_TYPE = 'ca.on.passerelle.referral.cancellation-requested';

export type ChangeResult =
  { ok: true; requested: ReferralChangeRequested } | { ok: false; status: 404 | 409; detail: string };

/** A referrer's list of its referrals, and its cancellation of one (checked against the lifecycle, sent to the tracker). */
export class ReferralChanges {
  constructor(
    private readonly database: DatabaseHandle,
    private readonly events: ApiEventSender,
  ) {}

  /** The referrals the tracker holds for this referrer, oldest change first (a submission appears once the tracker recorded it). */
  async list(referrer: string, query: ReferralPageQuery): Promise<ReferralStatusPage> {
    const { referrals, next } = await referralPage(this.database, 'referrer', referrer, query);
    return { items: referrals.map(statusView), ...(next !== undefined && { next }) };
  }

  async cancel(referrer: string, referralId: string, reason: string, requestKey: string): Promise<ChangeResult> {
    const row = await this.database.db
      .selectFrom('referral')
      .select('snapshot')
      .where('referral_id', '=', referralId)
      .where('referrer', '=', referrer)
      .executeTakeFirst();
    if (!row) {
      const pending = await this.database.db
        .selectFrom('referral_submission')
        .select('referral_id')
        .where('referral_id', '=', referralId)
        .where('referrer', '=', referrer)
        .executeTakeFirst();
      return pending
        ? { ok: false, status: 409, detail: 'the referral is not recorded by the tracker yet; retry in a moment' }
        : { ok: false, status: 404, detail: 'no such referral' };
    }
    const referral = row.snapshot as Referral;
    const allowed = transition(referral.status, { to: 'cancelled', actor: 'referrer', reason: { text: reason } });
    if (!allowed.ok) return { ok: false, status: 409, detail: allowed.reason };
    const requestedAt = new Date().toISOString();
    const event = await this.events.send<ReferralCancellation>({
      org: referrer,
      requestKey,
      type: CANCELLATION_TYPE,
      schemaPath: 'canonical/referral-cancellation.json',
      subject: referralId,
      clientId: referral.clientId,
      route: '/v1/referrals',
      time: requestedAt,
      data: {
        referralId,
        clientId: referral.clientId,
        requestedBy: referrer as ReferralCancellation['requestedBy'],
        reason,
        requestedAt,
        source: apiSourceRecord(referrer, requestKey),
      },
    });
    return { ok: true, requested: { referralId, change: 'cancel', requestedAt, eventId: event.id } };
  }
}
