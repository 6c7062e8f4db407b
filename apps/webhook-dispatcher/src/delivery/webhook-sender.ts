/** What one POST gave: the receiver's status, or why there was none. */
export type SendResult = { statusCode: number; durationMs: number } | { error: string; durationMs: number };

/**
 * POSTs a delivery with a hard time limit on the whole exchange up to the response headers.
 * Redirects are not followed (the subscription's URL is the one the organization registered; a
 * 3xx is a failed attempt). The response body is never read: nothing the receiver says is
 * stored or logged beyond its status.
 */
export class WebhookSender {
  constructor(private readonly timeoutMs: number) {}

  async send(url: string, headers: Record<string, string>, body: string): Promise<SendResult> {
    const started = performance.now();
    const elapsed = (): number => Math.max(0, Math.round(performance.now() - started));
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers,
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      const durationMs = elapsed();
      await response.body?.cancel().catch(() => undefined);
      return { statusCode: response.status, durationMs };
    } catch (error) {
      return { error: errorName(error), durationMs: elapsed() };
    }
  }
}

/**
 * A short, URL-free name of a failed exchange: `timeout`, a system code (`ECONNREFUSED`), or the
 * error's name. Duck-typed: fetch's errors may come from another realm than this module's `Error`.
 */
export function errorName(error: unknown): string {
  const { name, cause } = fields(error);
  if (name === 'TimeoutError' || name === 'AbortError') return 'timeout';
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
