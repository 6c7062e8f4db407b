import { webhookSignature } from '../../../apps/webhook-dispatcher/src/delivery/webhook-signature';
import { verifyWebhook, WebhookVerificationError, type ReferralNotification, type WebhookVerificationFailure } from '.';

const SECRET = 'whsec_Qm9uam91ciBQYXNzZXJlbGxlLCBjZWNpIGVzdCB1bmU';
const NOW = new Date('2025-09-18T10:15:00Z');
const NOW_SECONDS = String(NOW.getTime() / 1000);
// Non-ASCII on purpose: the signature is over the bytes, and a body re-encoded on the way breaks it.
const BODY = JSON.stringify({
  notificationId: '6f1e2d3c-4b5a-5968-8776-a5b4c3d2e1f0',
  recipient: 'ow:toronto',
  referralId: '2c9a7b1e-3d4f-5a6b-8c7d-9e0f1a2b3c4d',
  change: 'accepted',
  status: 'accepted',
  reason: 'Accepté',
});

/** The headers the webhook dispatcher sends, signed with its own signing function. */
const signed = (secret = SECRET, timestamp = NOW_SECONDS, body: string | Buffer = BODY) => ({
  'passerelle-delivery-id': '0b1d4a5e-8c1f-4f3e-b7a2-9d6e5c4b3a21',
  'passerelle-attempt': '2',
  'passerelle-timestamp': timestamp,
  'passerelle-signature': webhookSignature(secret, timestamp, body),
});

const failure = (run: () => unknown): WebhookVerificationFailure | undefined => {
  try {
    run();
    return undefined;
  } catch (error) {
    if (error instanceof WebhookVerificationError) return error.reason;
    throw error;
  }
};

describe('verifyWebhook', () => {
  it('accepts what the dispatcher signed, from a string or the raw bytes, and returns the notification', () => {
    const verified = verifyWebhook(SECRET, signed(), BODY, { now: NOW });
    expect(verified).toEqual({
      deliveryId: '0b1d4a5e-8c1f-4f3e-b7a2-9d6e5c4b3a21',
      attempt: 2,
      signedAt: NOW,
      notification: JSON.parse(BODY),
    });
    const { notification } = verifyWebhook(SECRET, signed(), Buffer.from(BODY, 'utf8'), { now: NOW });
    expect((notification as ReferralNotification).reason).toBe('Accepté');
  });

  it('reads fetch Headers and headers in any case', () => {
    expect(verifyWebhook(SECRET, new Headers(signed()), BODY, { now: NOW }).attempt).toBe(2);
    const upper = Object.fromEntries(Object.entries(signed()).map(([k, v]) => [k.toUpperCase(), v]));
    expect(verifyWebhook(SECRET, upper, BODY, { now: NOW }).attempt).toBe(2);
  });

  it('accepts a timestamp up to the tolerance away from the clock, either way, and refuses one beyond', () => {
    const at = (offset: number) => String(Number(NOW_SECONDS) + offset);
    for (const offset of [-300, 300])
      expect(verifyWebhook(SECRET, signed(SECRET, at(offset)), BODY, { now: NOW })).toBeTruthy();
    for (const offset of [-301, 301]) {
      expect(failure(() => verifyWebhook(SECRET, signed(SECRET, at(offset)), BODY, { now: NOW }))).toBe(
        'timestamp-outside-tolerance',
      );
    }
    expect(
      failure(() => verifyWebhook(SECRET, signed(SECRET, at(-400)), BODY, { now: NOW, toleranceSeconds: 600 })),
    ).toBeUndefined();
  });

  it('refuses a tampered body, a wrong secret, a moved timestamp and missing headers', () => {
    expect(failure(() => verifyWebhook(SECRET, signed(), BODY.replace('accepted', 'rejected'), { now: NOW }))).toBe(
      'signature-mismatch',
    );
    // The same text in another encoding is other bytes.
    expect(failure(() => verifyWebhook(SECRET, signed(), Buffer.from(BODY, 'latin1'), { now: NOW }))).toBe(
      'signature-mismatch',
    );
    expect(failure(() => verifyWebhook(`${SECRET}x`, signed(), BODY, { now: NOW }))).toBe('signature-mismatch');
    // A captured request replayed with a fresh timestamp: the signature covers the old one.
    const replayed = { ...signed(SECRET, String(Number(NOW_SECONDS) - 3600)), 'passerelle-timestamp': NOW_SECONDS };
    expect(failure(() => verifyWebhook(SECRET, replayed, BODY, { now: NOW }))).toBe('signature-mismatch');
    const { 'passerelle-signature': _signature, ...unsigned } = signed();
    expect(failure(() => verifyWebhook(SECRET, unsigned, BODY, { now: NOW }))).toBe('missing-header');
    expect(failure(() => verifyWebhook(SECRET, { ...signed(), 'passerelle-timestamp': '1e9' }, BODY))).toBe(
      'invalid-timestamp',
    );
    expect(
      failure(() => verifyWebhook(SECRET, { ...signed(), 'passerelle-signature': 'v1=zz' }, BODY, { now: NOW })),
    ).toBe('signature-mismatch');
    expect(() => verifyWebhook('', signed(), BODY, { now: NOW })).toThrow(TypeError);
  });

  it('supports rotation: any of several signatures, any of several secrets', () => {
    const previous = 'whsec_previous';
    const both = `${signed(previous)['passerelle-signature']} ${signed()['passerelle-signature']}`;
    const headers = { ...signed(), 'passerelle-signature': both };
    expect(verifyWebhook(SECRET, headers, BODY, { now: NOW }).attempt).toBe(2);
    expect(verifyWebhook(previous, headers, BODY, { now: NOW }).attempt).toBe(2);
    // A receiver part-way through its own rotation holds both secrets.
    expect(verifyWebhook(['whsec_next', SECRET], signed(), BODY, { now: NOW }).attempt).toBe(2);
    expect(failure(() => verifyWebhook(['whsec_next', 'whsec_other'], signed(), BODY, { now: NOW }))).toBe(
      'signature-mismatch',
    );
  });
});
