import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { hostRefusedAsWritten, webhookAddressAllowed, type WebhookAddressPolicy } from '@passerelle/config';

/** What one POST gave: the receiver's status, or why there was none. */
export type SendResult = { statusCode: number; durationMs: number } | { error: string; durationMs: number };

/** The error code of an attempt refused because the receiver's address is not one webhooks may reach. */
export const ADDRESS_NOT_ALLOWED = 'ADDRESS_NOT_ALLOWED';

/**
 * POSTs a delivery with a hard time limit on the whole exchange up to the response headers.
 * Redirects are not followed (the subscription's URL is the one the organization registered; a
 * 3xx is a failed attempt). The response body is never read: nothing the receiver says is
 * stored or logged beyond its status. The connection goes only to an address `addresses`
 * allows: a host name is resolved here and its addresses checked before connecting to one of
 * them (a name that resolved to a public address when registered may point inside later).
 */
export class WebhookSender {
  private readonly lookup: LookupFunction;

  constructor(
    private readonly timeoutMs: number,
    private readonly addresses: WebhookAddressPolicy,
  ) {
    this.lookup = allowedAddressLookup(addresses);
  }

  async send(url: string, headers: Record<string, string>, body: string): Promise<SendResult> {
    const started = performance.now();
    const elapsed = (): number => Math.max(0, Math.round(performance.now() - started));
    try {
      const target = new URL(url);
      // An address in the URL is connected to as it is, without a lookup: checked here.
      if (hostRefusedAsWritten(target.hostname, this.addresses)) {
        return { error: ADDRESS_NOT_ALLOWED, durationMs: elapsed() };
      }
      const statusCode = await this.post(target, headers, body);
      return { statusCode, durationMs: elapsed() };
    } catch (error) {
      return { error: errorName(error), durationMs: elapsed() };
    }
  }

  private post(target: URL, headers: Record<string, string>, body: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const request = (target.protocol === 'https:' ? httpsRequest : httpRequest)(
        target,
        {
          method: 'POST',
          headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
          lookup: this.lookup,
          signal: AbortSignal.timeout(this.timeoutMs),
        },
        (response: IncomingMessage) => {
          resolve(response.statusCode ?? 0);
          response.destroy();
        },
      );
      request.once('error', reject);
      request.end(body);
    });
  }
}

/** dns.lookup, keeping only the addresses `policy` allows; none left is an ADDRESS_NOT_ALLOWED error. */
export function allowedAddressLookup(policy: WebhookAddressPolicy): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, found: LookupAddress[]) => {
      if (error) {
        callback(error, '', 0);
        return;
      }
      const allowed = found.filter(({ address }) => webhookAddressAllowed(address, policy));
      if (allowed.length === 0) {
        const refused = Object.assign(new Error(`no address of ${hostname} may receive webhooks`), {
          code: ADDRESS_NOT_ALLOWED,
        });
        callback(refused, '', 0);
        return;
      }
      // net asks for every address (all: true) when it tries them in turn (autoSelectFamily).
      if (options.all) (callback as unknown as (error: null, addresses: LookupAddress[]) => void)(null, allowed);
      else callback(null, allowed[0].address, allowed[0].family);
    });
  };
}

/**
 * A short, URL-free name of a failed exchange: `timeout`, a system code (`ECONNREFUSED`), or the
 * error's name. Duck-typed: an error may come from another realm than this module's `Error`.
 */
export function errorName(error: unknown): string {
  const { name, code, cause } = fields(error);
  if (name === 'TimeoutError' || name === 'AbortError') return 'timeout';
  if (code !== undefined) return code;
  const inner = fields(cause);
  if (inner.name === 'TimeoutError' || inner.name === 'AbortError') return 'timeout';
  if (inner.code !== undefined) return inner.code;
  // e.g. an AggregateError of several addresses refused: its first one's code
  const first = fields(inner.errors?.[0]);
  if (first.code !== undefined) return first.code;
  return name ?? 'error';
}

function fields(value: unknown): { name?: string; code?: string; cause?: unknown; errors?: unknown[] } {
  if (typeof value !== 'object' || value === null) return {};
  const { name, code, cause, errors } = value as Record<string, unknown>;
  return {
    ...(typeof name === 'string' && { name }),
    ...(typeof code === 'string' && /^[A-Z0-9_]{2,64}$/.test(code) && { code }),
    cause,
    ...(Array.isArray(errors) && { errors }),
  };
}
