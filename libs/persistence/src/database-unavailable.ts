/**
 * SQLSTATE classes and codes that say the database cannot be reached or cannot serve now, as
 * opposed to refusing this statement: 08 connection exception, 53 insufficient resources (too
 * many connections, out of memory or disk), 57P01–57P05 the server shutting down, crashed,
 * starting up, the database dropped or the session timed out.
 */
const UNAVAILABLE_SQLSTATE = /^(08|53|57P0[1-5])/;
/** Socket errors Node raises when the server's address does not answer or the connection breaks. */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']);
/** Messages node-postgres gives connection losses that carry no code. */
const LOST_CONNECTION = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect$/,
  /is not queryable$/,
  /^Query read timeout$/,
];

/**
 * Whether `error` (or an error it wraps, through `cause`) says PostgreSQL is unreachable or not
 * serving right now, so the same work may succeed later: a request is answered 503, a consumed
 * record retried. A constraint violation or syntax error is not that.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  // Duck-typed, not `instanceof Error`: socket errors come from Node's own realm, which differs
  // from the code's under a test runner's sandbox.
  for (let current = error, depth = 0; isErrorLike(current) && depth < 5; depth += 1) {
    const { code, message } = current;
    if (typeof code === 'string' && (UNAVAILABLE_SQLSTATE.test(code) || SOCKET_CODES.has(code))) return true;
    if (LOST_CONNECTION.some((pattern) => pattern.test(message))) return true;
    current = current.cause;
  }
  return false;
}

/** An error of any realm: an object with a string message (and maybe a code, a name and a cause). */
export function isErrorLike(
  value: unknown,
): value is { message: string; name?: unknown; code?: unknown; cause?: unknown } {
  return typeof value === 'object' && value !== null && typeof (value as { message?: unknown }).message === 'string';
}
