import {
  hostRefusedAsWritten,
  isLoopbackHost,
  type WebhookAddressPolicy,
  type WebhookHttpPolicy,
} from '@passerelle/config';
import type { FieldError } from '@passerelle/contracts';

export type WebhookUrlCheck = { ok: true; url: string } | { ok: false; error: FieldError };

const POINTER = '/url';

/**
 * Whether a subscription may POST to `raw`: an absolute https URL without user name, password or
 * fragment; plain http only as `policy` allows (loopback: a receiver on the same machine, for
 * development). Credentials in a URL would end up in logs and in the subscription list. A URL
 * naming an address (or localhost) is checked against `addresses` now, so the organization hears
 * of it at once; the dispatcher checks every address a host name resolves to at each delivery.
 */
export function checkWebhookUrl(
  raw: string,
  policy: WebhookHttpPolicy,
  addresses: WebhookAddressPolicy,
): WebhookUrlCheck {
  const refuse = (code: string, message: string): WebhookUrlCheck => ({
    ok: false,
    error: { pointer: POINTER, code, message },
  });
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return refuse('format', 'must be an absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return refuse('https-required', 'must be an https URL');
  if (url.username !== '' || url.password !== '')
    return refuse('credentials', 'must not carry a user name or password');
  if (url.hash !== '' || raw.includes('#')) return refuse('fragment', 'must not carry a fragment (#...)');
  if (url.hostname === '') return refuse('format', 'must name a host');
  if (url.protocol === 'http:') {
    if (policy === 'none') return refuse('https-required', 'must be an https URL');
    if (policy === 'loopback' && !isLoopbackHost(url.hostname)) {
      return refuse('https-required', 'must be an https URL (plain http is allowed only to a loopback address here)');
    }
  }
  if (hostRefusedAsWritten(url.hostname, addresses)) {
    return refuse('address-not-allowed', 'must not name a private, loopback, link-local or other non-public address');
  }
  return { ok: true, url: url.href };
}
