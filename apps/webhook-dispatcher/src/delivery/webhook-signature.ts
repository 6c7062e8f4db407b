import { createHmac, timingSafeEqual } from 'node:crypto';

/** Headers of the signing scheme (also documented in README.md and openapi.yaml's webhook). */
export const SIGNATURE_HEADER = 'passerelle-signature';
export const TIMESTAMP_HEADER = 'passerelle-timestamp';
export const DELIVERY_ID_HEADER = 'passerelle-delivery-id';
export const ATTEMPT_HEADER = 'passerelle-attempt';

/** How far a receiver should accept a timestamp from its own clock (replay protection). */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/**
 * `v1=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>`: the secret's UTF-8 bytes are the
 * key; the timestamp (Unix seconds, as sent) is signed with the body so a captured request
 * cannot be replayed later with a new timestamp.
 */
export function webhookSignature(secret: string, timestamp: string, body: string | Buffer): string {
  const hmac = createHmac('sha256', Buffer.from(secret, 'utf8'));
  hmac.update(`${timestamp}.`);
  hmac.update(body);
  return `v1=${hmac.digest('hex')}`;
}

export interface SignedRequest {
  secret: string;
  /** The `Passerelle-Timestamp` header. */
  timestamp: string | undefined;
  /** The raw body, exactly as received. */
  body: string | Buffer;
  /** The `Passerelle-Signature` header: one or more space-separated `v1=<hex>`. */
  signature: string | undefined;
  /** Unix seconds now (tests); defaults to the clock. */
  now?: number;
  toleranceSeconds?: number;
}

/** What a receiver does: a recent timestamp and one matching `v1=` value, compared in constant time. */
export function verifyWebhookSignature(request: SignedRequest): boolean {
  const { timestamp, signature } = request;
  if (timestamp === undefined || signature === undefined || !/^\d{1,12}$/.test(timestamp)) return false;
  const now = request.now ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - Number(timestamp)) > (request.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS)) return false;
  const expected = Buffer.from(webhookSignature(request.secret, timestamp, request.body));
  return signature
    .split(/[\s,]+/)
    .filter((candidate) => candidate.startsWith('v1='))
    .some((candidate) => {
      const given = Buffer.from(candidate);
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
}
