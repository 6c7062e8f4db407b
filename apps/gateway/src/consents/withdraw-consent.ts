import type { Consent, components } from '@passerelle/contracts';
import type { DatabaseHandle } from '@passerelle/persistence';
import type { ApiEventSender } from '../api-events';

export type ConsentWithdrawn = components['schemas']['ConsentWithdrawn'];
export type WithdrawalResult =
  { ok: true; withdrawn: ConsentWithdrawn } | { ok: false; status: 404 | 409; detail: string };

const WITHDRAWN_TYPE = 'ca.on.passerelle.consent.withdrawn';

/**
 * A referrer records that its client withdrew a consent: `consent.withdrawn` (the consent as the
 * tracker holds it, with `withdrawnAt`) goes to `referrals.v1`, where the tracker cancels the open
 * referrals it covered and drops the client's personal data. Only an organization that referred
 * the client under that consent may withdraw it; for anyone else it does not exist (404).
 */
export class WithdrawConsent {
  constructor(
    private readonly database: DatabaseHandle,
    private readonly events: ApiEventSender,
  ) {}

  async withdraw(referrer: string, clientId: string, consentId: string, requestKey: string): Promise<WithdrawalResult> {
    const row = await this.database.db
      .selectFrom('consent')
      .select(['snapshot', 'withdrawn_at'])
      .where('consent_id', '=', consentId)
      .where('client_id', '=', clientId)
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom('referral')
            .select('referral_id')
            .where('referral.consent_id', '=', consentId)
            .where('referral.referrer', '=', referrer),
        ),
      )
      .executeTakeFirst();
    if (!row || row.snapshot === null) return { ok: false, status: 404, detail: 'no such consent for this client' };
    if (row.withdrawn_at !== null)
      return {
        ok: false,
        status: 409,
        detail: `the consent was already withdrawn on ${row.withdrawn_at.toISOString()}`,
      };
    const withdrawnAt = new Date().toISOString();
    const event = await this.events.send<Consent>({
      org: referrer,
      requestKey,
      type: WITHDRAWN_TYPE,
      schemaPath: 'canonical/consent.json',
      subject: consentId,
      clientId,
      route: '/v1/clients/consent',
      time: withdrawnAt,
      data: { ...(row.snapshot as Consent), withdrawnAt },
    });
    return { ok: true, withdrawn: { clientId, consentId, withdrawnAt, eventId: event.id } };
  }
}
