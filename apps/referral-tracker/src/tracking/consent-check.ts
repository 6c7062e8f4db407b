import type { StoredConsent } from '../ledger/ledger-rows';

/** The purpose a referral's consent must cover (schemas/codes/consent-purposes.json). */
export const REFERRAL_PURPOSE = 'referral-to-employment-services';
/** In a consent's recipients: whichever provider the referral is routed to. */
export const ANY_EO_PROVIDER = 'eo:any';

export type ConsentVerdict =
  | { allowed: true }
  | {
      allowed: false;
      code: 'CONSENT_MISSING' | 'CONSENT_WITHDRAWN' | 'CONSENT_EXPIRED' | 'CONSENT_PURPOSE' | 'CONSENT_RECIPIENT';
      reason: string;
    };

/**
 * Whether `consent` lets the referral's data go to `recipient` at `at`. Pure: the tracker asks
 * before routing, and again for the provider routing chose.
 */
export function consentAllows(
  consent: StoredConsent | undefined,
  recipient: string | undefined,
  at: Date,
): ConsentVerdict {
  if (!consent)
    return { allowed: false, code: 'CONSENT_MISSING', reason: 'no consent on record for this referral yet' };
  // A withdrawal on record forbids sharing from then on, whatever time the referral carries.
  if (consent.withdrawnAt !== null) {
    return {
      allowed: false,
      code: 'CONSENT_WITHDRAWN',
      reason: `consent ${consent.consentId} was withdrawn on ${consent.withdrawnAt.toISOString()}`,
    };
  }
  if (consent.expiresOn !== null && endOfDay(consent.expiresOn) < at) {
    return {
      allowed: false,
      code: 'CONSENT_EXPIRED',
      reason: `consent ${consent.consentId} expired on ${consent.expiresOn.toISOString().slice(0, 10)}`,
    };
  }
  if (consent.purpose !== REFERRAL_PURPOSE) {
    return {
      allowed: false,
      code: 'CONSENT_PURPOSE',
      reason: `consent ${consent.consentId} covers "${consent.purpose}", not "${REFERRAL_PURPOSE}"`,
    };
  }
  if (
    recipient !== undefined &&
    !consent.recipients.includes(recipient) &&
    !(recipient.startsWith('eo:') && consent.recipients.includes(ANY_EO_PROVIDER))
  ) {
    return {
      allowed: false,
      code: 'CONSENT_RECIPIENT',
      reason: `consent ${consent.consentId} does not name ${recipient} among its recipients`,
    };
  }
  return { allowed: true };
}

function endOfDay(date: Date): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate(), 23, 59, 59, 999));
}
