// The one wording of the log lines of work that is retried until it works again (outbox relay,
// durable timers, webhook dispatch), so operators grep for the same phrases in every app.

/** A log line for a failed step: `<what> failed[ N times in a row], retrying: <error>`. */
export function failureLine(what: string, error: unknown, consecutive: number): string {
  return `${what} failed${consecutive > 1 ? ` ${consecutive} times in a row` : ''}, retrying: ${String(error)}`;
}

/** A log line for the step that worked again. */
export function recoveryLine(what: string, failures: number): string {
  return `${what} works again after ${failures} failed attempt${failures === 1 ? '' : 's'}`;
}
