import { createHmac, timingSafeEqual } from 'node:crypto';
import type { components } from '@passerelle/contracts';

/** A referral's status changed (a referrer's, or a provider's new or cancelled referral). */
export type ReferralNotification = components['schemas']['ReferralNotification'];
/** An outcome follow-up fell due (to the provider). */
export type FollowUpNotification = components['schemas']['FollowUpNotification'];
/** A duplicate support or a no-show (to the referrer's caseworkers). */
export type AlertNotification = components['schemas']['AlertNotification'];
/**
 * What a subscriber's URL receives: one of the notifications (none carries personal data), told
 * apart by `change` (or the `ce-type` header).
 */
export type WebhookNotification = ReferralNotification | FollowUpNotification | AlertNotification;

export const WEBHOOK_HEADERS = {
  signature: 'passerelle-signature',
  timestamp: 'passerelle-timestamp',
  deliveryId: 'passerelle-delivery-id',
  attempt: 'passerelle-attempt',
} as const;

/** How far from the receiver's clock a timestamp is accepted: what the gateway documents. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

export type WebhookHeaders = Headers | Record<string, string | readonly string[] | undefined>;

export type WebhookVerificationFailure =
  'missing-header' | 'invalid-timestamp' | 'timestamp-outside-tolerance' | 'signature-mismatch' | 'invalid-body';

/** Thrown by `verifyWebhook`; answer the request with a 4xx and do not act on it. */
export class WebhookVerificationError extends Error {
  constructor(
    readonly reason: WebhookVerificationFailure,
    message: string,
  ) {
    super(message);
    this.name = 'WebhookVerificationError';
  }
}

export interface VerifiedWebhook {
  /** The same on every attempt of one delivery: deduplicate on it. */
  deliveryId: string | undefined;
  attempt: number | undefined;
  /** When the attempt was signed. */
  signedAt: Date;
  notification: WebhookNotification;
}

export interface VerifyWebhookOptions {
  toleranceSeconds?: number;
  /** The receiver's clock (tests). */
  now?: Date;
}

/**
 * Checks a webhook request as the gateway signs it: `Passerelle-Signature` holds one or more
 * `v1=<hex HMAC-SHA256(secret, "<Passerelle-Timestamp>.<raw body>")>`, and the timestamp must be
 * within `toleranceSeconds` of the clock (a captured request cannot be replayed later). `secret`
 * may list several secrets, for a rotation: during it, the old and the new one are both accepted.
 * `rawBody` must be the bytes as received, before any JSON parsing. Returns the notification, or
 * throws a `WebhookVerificationError` naming why.
 */
export function verifyWebhook(
  secret: string | readonly string[],
  headers: WebhookHeaders,
  rawBody: string | Uint8Array,
  options: VerifyWebhookOptions = {},
): VerifiedWebhook {
  const secrets = typeof secret === 'string' ? [secret] : secret;
  if (secrets.length === 0 || secrets.some((s) => s === '')) throw new TypeError('verifyWebhook needs a secret');
  const signature = header(headers, WEBHOOK_HEADERS.signature);
  const timestamp = header(headers, WEBHOOK_HEADERS.timestamp);
  if (signature === undefined || timestamp === undefined) {
    throw new WebhookVerificationError(
      'missing-header',
      'the Passerelle-Signature or Passerelle-Timestamp header is missing',
    );
  }
  if (!/^\d{1,12}$/.test(timestamp)) {
    throw new WebhookVerificationError('invalid-timestamp', 'Passerelle-Timestamp is not Unix seconds');
  }
  const nowSeconds = Math.floor((options.now ?? new Date()).getTime() / 1000);
  if (Math.abs(nowSeconds - Number(timestamp)) > (options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS)) {
    throw new WebhookVerificationError('timestamp-outside-tolerance', 'Passerelle-Timestamp is too far from the clock');
  }

  const given = signature
    .split(/[\s,]+/)
    .filter((candidate) => /^v1=[0-9a-f]{64}$/i.test(candidate))
    .map((candidate) => Buffer.from(candidate.slice(3), 'hex'));
  // Digests of equal length compared with timingSafeEqual: the time taken says nothing of how
  // much of a forged signature was right.
  const matches = secrets.some((s) => {
    const expected = createHmac('sha256', Buffer.from(s, 'utf8')).update(`${timestamp}.`).update(rawBody).digest();
    return given.some((candidate) => timingSafeEqual(candidate, expected));
  });
  if (!matches) throw new WebhookVerificationError('signature-mismatch', 'no Passerelle-Signature value matches');

  let notification: WebhookNotification;
  try {
    const text = typeof rawBody === 'string' ? rawBody : Buffer.from(rawBody).toString('utf8');
    notification = JSON.parse(text) as WebhookNotification;
  } catch {
    throw new WebhookVerificationError('invalid-body', 'the signed body is not JSON');
  }
  const attempt = header(headers, WEBHOOK_HEADERS.attempt);
  return {
    deliveryId: header(headers, WEBHOOK_HEADERS.deliveryId),
    attempt: attempt === undefined ? undefined : Number(attempt),
    signedAt: new Date(Number(timestamp) * 1000),
    notification,
  };
}

/** A header from fetch `Headers` or a plain object (Node's are lower-case; others may not be). */
function header(headers: WebhookHeaders, name: string): string | undefined {
  // Duck-typed: a `Headers` of another realm (a test environment, a polyfill) fails `instanceof`.
  if (isHeaders(headers)) return headers.get(name) ?? undefined;
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  const value = key === undefined ? undefined : headers[key];
  return typeof value === 'string' ? value : value?.join(' ');
}

function isHeaders(headers: WebhookHeaders): headers is Headers {
  return typeof (headers as Partial<Headers>).get === 'function';
}
