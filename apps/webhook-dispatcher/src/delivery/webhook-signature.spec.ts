import { createHmac } from 'node:crypto';
import { verifyWebhookSignature, webhookSignature } from './webhook-signature';

describe('webhook signature', () => {
  const secret = 'whsec_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG';
  const body = '{"notificationId":"6f1e2d3c-4b5a-5968-8776-a5b4c3d2e1f0","change":"accepted","note":"Éloïse"}';
  const timestamp = '1758190500';

  it('is v1= and the hex HMAC-SHA256 of "<timestamp>.<body>" under the secret, as documented', () => {
    const documented = createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex');
    expect(webhookSignature(secret, timestamp, body)).toBe(`v1=${documented}`);
    expect(webhookSignature(secret, timestamp, Buffer.from(body))).toBe(`v1=${documented}`);
    expect(webhookSignature(secret, timestamp, body)).toMatch(/^v1=[0-9a-f]{64}$/);
  });

  it('verifies a fresh, untouched request', () => {
    const signature = webhookSignature(secret, timestamp, body);
    expect(verifyWebhookSignature({ secret, timestamp, body, signature, now: Number(timestamp) + 10 })).toBe(true);
    // several values (a receiver may get one per secret during a rotation): one match is enough
    expect(
      verifyWebhookSignature({
        secret,
        timestamp,
        body,
        signature: `v1=${'0'.repeat(64)} ${signature}`,
        now: Number(timestamp),
      }),
    ).toBe(true);
  });

  it('refuses another body, another secret, another timestamp, a stale request and malformed headers', () => {
    const signature = webhookSignature(secret, timestamp, body);
    const now = Number(timestamp);
    expect(
      verifyWebhookSignature({ secret, timestamp, body: body.replace('accepted', 'rejected'), signature, now }),
    ).toBe(false);
    expect(verifyWebhookSignature({ secret: `${secret}x`, timestamp, body, signature, now })).toBe(false);
    expect(verifyWebhookSignature({ secret, timestamp: String(now + 1), body, signature, now })).toBe(false);
    expect(verifyWebhookSignature({ secret, timestamp, body, signature, now: now + 301 })).toBe(false);
    expect(verifyWebhookSignature({ secret, timestamp, body, signature, now: now - 301 })).toBe(false);
    expect(verifyWebhookSignature({ secret, timestamp: undefined, body, signature, now })).toBe(false);
    expect(verifyWebhookSignature({ secret, timestamp: 'yesterday', body, signature, now })).toBe(false);
    expect(verifyWebhookSignature({ secret, timestamp, body, signature: undefined, now })).toBe(false);
    expect(verifyWebhookSignature({ secret, timestamp, body, signature: signature.slice(3), now })).toBe(false);
    expect(verifyWebhookSignature({ secret, timestamp, body, signature: `${signature}0`, now })).toBe(false);
  });
});
