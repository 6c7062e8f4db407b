import { Injectable } from '@nestjs/common';
import type { Consent, components } from '@passerelle/contracts';
import { ApiEventSender } from '../api-events';
import { ClientErasure } from '../clients/erase-client';
import { ConsentReadModel } from '../ledger/consent-read-model';
import { problem } from '../problem/problem';
import { ConsentErrorCode } from './consent.error';

export type ConsentWithdrawn = components['schemas']['ConsentWithdrawn'];

const WITHDRAWN_TYPE = 'ca.on.passerelle.consent.withdrawn';

/**
 * `POST /v1/clients/{clientId}/consent/withdraw`: a referrer records that its client withdrew a
 * consent: `consent.withdrawn` (the consent as the tracker holds it, with `withdrawnAt`) goes to
 * `referrals.v1`, where the tracker cancels the open referrals it covered and drops the client's
 * personal data. The client's data key is destroyed too (crypto-shredding, `ClientErasure`):
 * every sealed copy of its personal data becomes unreadable, and the ledger's copies are purged.
 * Only an organization that referred the client under that consent may withdraw it; for anyone
 * else it does not exist (404). Withdrawn already: 409.
 */
@Injectable()
export class WithdrawConsent {
  constructor(
    private readonly consents: ConsentReadModel,
    private readonly events: ApiEventSender,
    private readonly erasure: ClientErasure,
  ) {}

  async execute(
    referrer: string,
    clientId: string,
    consentId: string,
    requestKey: string,
    subject = referrer,
  ): Promise<ConsentWithdrawn> {
    const recorded = await this.consents.findOfReferrer(referrer, clientId, consentId);
    if (recorded?.consent === undefined)
      throw problem(404, 'no such consent for this client', { code: ConsentErrorCode.NotFound });
    if (recorded.withdrawnAt !== undefined)
      throw problem(409, `the consent was already withdrawn on ${recorded.withdrawnAt.toISOString()}`, {
        code: ConsentErrorCode.AlreadyWithdrawn,
      });
    const withdrawnAt = new Date().toISOString();
    const event = await this.events.send<Consent>({
      org: referrer,
      requestKey,
      type: WITHDRAWN_TYPE,
      subject: consentId,
      clientId,
      route: '/v1/clients/consent',
      time: withdrawnAt,
      data: { ...recorded.consent, withdrawnAt },
    });
    // After the event is durable: a retried request (same event id) erases again, harmlessly.
    await this.erasure.erase(referrer, subject, clientId, 'consent-withdrawal');
    return { clientId, consentId, withdrawnAt, eventId: event.id };
  }
}
