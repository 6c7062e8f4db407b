import type { Attempt } from './load';

export interface PhaseRow {
  phase: string;
  /** How long the phase lasted, in seconds. */
  seconds: number;
  requests: number;
  /** 200 (inbox reads) and 202 (stored POSTs). */
  ok: number;
  s503: number;
  /** 409 "still being answered" (the request's key is held by a lost attempt). */
  s409: number;
  /** No HTTP answer: connection refused or reset, or held past the attempt timeout. */
  noAnswer: number;
  /** Anything else, 500 included: never expected. */
  other: number;
  maxMs: number;
}

export interface PhaseSpan {
  name: string;
  startedAt: number;
  endedAt: number;
}

export function phaseRows(spans: PhaseSpan[], attempts: Attempt[]): PhaseRow[] {
  return spans.map(({ name, startedAt, endedAt }) => {
    const mine = attempts.filter((a) => a.phase === name);
    const is = (test: (a: Attempt) => boolean): number => mine.filter(test).length;
    return {
      phase: name,
      seconds: Math.round((endedAt - startedAt) / 100) / 10,
      requests: mine.length,
      ok: is((a) => a.outcome === 200 || a.outcome === 202),
      s503: is((a) => a.outcome === 503),
      s409: is((a) => a.outcome === 409),
      noAnswer: is((a) => typeof a.outcome === 'string'),
      other: is((a) => typeof a.outcome === 'number' && ![200, 202, 409, 503].includes(a.outcome)),
      maxMs: Math.round(Math.max(0, ...mine.map((a) => a.ms))),
    };
  });
}

/** One line per phase, aligned, for the log and the closing note. */
export function formatTable(rows: PhaseRow[]): string {
  const header = ['phase', 's', 'requests', '2xx', '503', '409', 'no answer', 'other', 'max ms'];
  const lines = rows.map((r) => [
    r.phase,
    r.seconds.toFixed(1),
    r.requests,
    r.ok,
    r.s503,
    r.s409,
    r.noAnswer,
    r.other,
    r.maxMs,
  ]);
  const total = rows.reduce<Array<string | number>>(
    (t, r) => [
      'total',
      (Number(t[1]) + r.seconds).toFixed(1),
      Number(t[2]) + r.requests,
      Number(t[3]) + r.ok,
      Number(t[4]) + r.s503,
      Number(t[5]) + r.s409,
      Number(t[6]) + r.noAnswer,
      Number(t[7]) + r.other,
      Math.max(Number(t[8]), r.maxMs),
    ],
    ['total', '0', 0, 0, 0, 0, 0, 0, 0],
  );
  const table = [header, ...lines, total].map((cells) => cells.map(String));
  const widths = header.map((_, i) => Math.max(...table.map((cells) => cells[i].length)));
  return table
    .map((cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '))
    .join('\n');
}
