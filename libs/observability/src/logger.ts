import type { Params } from 'nestjs-pino';
import pino from 'pino';
import type { Options } from 'pino-http';

/**
 * Structured JSON logs (pino). Tokens, cookies and request bodies never reach the log: bodies
 * carry personal data, and headers carry credentials.
 */
export function pinoParams(options: { level: string; app: string; destination?: 'stdout' | 'stderr' }): Params {
  const http: Options = {
    level: options.level,
    base: { app: options.app },
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'req.headers["x-api-key"]',
        'res.headers["set-cookie"]',
      ],
      censor: '[redacted]',
    },
    serializers: {
      // Query strings may hold identifiers: log the path only.
      req: (req: { method: string; url: string; id: unknown }) => ({
        id: req.id,
        method: req.method,
        path: req.url.split('?')[0],
      }),
    },
    customLogLevel: (_req, res, error) =>
      error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
    autoLogging: {
      ignore: (req) => String(req.url).startsWith('/v1/health') || String(req.url).startsWith('/v1/metrics'),
    },
  };
  // stdout is pino's own default stream; stderr the same kind of stream on fd 2.
  return { pinoHttp: options.destination === 'stderr' ? [http, pino.destination(2)] : http };
}
