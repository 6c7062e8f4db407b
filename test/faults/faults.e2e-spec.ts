import { KAFKA_WRITE_TIMEOUT_MS, newFaultStack, startFaultStack, stopFaultStack } from './fault-stack';
import { deadLetters, ledgerState, type LedgerState } from './ledger-checks';
import { FaultLoad, detailOf, type Attempt, type Final } from './load';
import { formatTable, phaseRows } from './report';
import { runScenario, type ScenarioResult } from './scenario';
import { traceLost } from './trace';

/** How long one attempt may go unanswered before the client gives up on it (a held request). */
const ATTEMPT_TIMEOUT_MS = 15_000;
/** The whole scenario's budget: no request is retried after it. */
const SCENARIO_MS = 300_000;

/** An answer the load never expects: a 5xx other than 503, or a 4xx other than 409 "still being answered". */
const unexpectedStatus = (a: Attempt): boolean =>
  typeof a.outcome === 'number' && ![200, 202, 409, 503].includes(a.outcome);
/** No connection, while the gateway was up. */
const refused = (a: Attempt): boolean =>
  a.outcome === 'network' && a.phase !== 'gateway-killed' && a.endPhase !== 'gateway-killed';
const held = (a: Attempt): boolean => a.outcome === 'timeout';

/** A failing list kept readable: its first entries and how many more. */
const firstOf = (list: string[], n = 8): string[] =>
  list.length <= n ? list : [...list.slice(0, n), `... and ${list.length - n} more`];

const describeAttempt = (a: Attempt): string =>
  `${a.phase} ${a.kind} -> ${String(a.outcome)} in ${Math.round(a.ms)} ms${a.detail ? ` (${a.detail})` : ''}`;

describe('faults: broker, app processes and PostgreSQL fail under load; nothing is lost, doubled or answered 500', () => {
  const stack = newFaultStack();
  let load: FaultLoad | undefined;
  let result: ScenarioResult;
  let ledger: LedgerState;
  let dlq: Record<string, number>;
  /** Each referral answered 202 but missing from the ledger, and where it was lost. */
  let lost: string[];

  beforeAll(async () => {
    const started = Date.now();
    await startFaultStack(stack);
    load = new FaultLoad({
      base: stack.base,
      referrerToken: stack.referrerToken,
      providerToken: stack.providerToken,
      deadline: started + SCENARIO_MS,
      concurrency: 4,
      paceMs: 250,
      attemptTimeoutMs: ATTEMPT_TIMEOUT_MS,
    });
    load.start();
    result = await runScenario(stack, load);
    await load.stop();
    ledger = await ledgerState(stack.database, load.referralIds());
    dlq = await deadLetters(stack.kafka, stack.prefix);
    const answers = [...load.submissions.entries()].flatMap(([key, f]) =>
      f.answer?.status === 202 ? [{ key, phase: f.phase, body: f.answer.body as Record<string, string> }] : [],
    );
    const missing = answers.filter((a) => ledger.missing.includes(a.body.referralId));
    const traced = await traceLost(
      stack.kafka,
      stack.prefix,
      stack.database,
      missing.map((a) => ({ referralId: a.body.referralId, sourceReferralId: a.body.sourceReferralId })),
    );
    lost = missing.map((a, i) => `${a.key}, 202 in ${String(a.phase)}: ${traced[i]}`);

    const unexpected = load.attempts.filter((a) => unexpectedStatus(a) || refused(a) || held(a)).slice(0, 10);
    console.log(
      [
        `fault suite: ${load.referralIds().length} referrals, ${Math.round((Date.now() - started) / 1000)} s, ` +
          `${result.terminatedSessions} sessions terminated`,
        formatTable(phaseRows(result.spans, load.attempts)),
        ...result.problems.map((p) => `problem: ${p}`),
        ...stack.crashes.map((c) => `crash: ${c.app} code=${String(c.code)} signal=${String(c.signal)}`),
        ...unexpected.map((a) => `unexpected: ${describeAttempt(a)}`),
      ].join('\n'),
    );
  }, SCENARIO_MS + 120_000);

  afterAll(async () => {
    await load?.stop();
    await stopFaultStack(stack);
  }, 60_000);

  it('recovers from each fault: every phase reached its signal and the stack settled', () => {
    expect(result.problems).toEqual([]);
  });

  it('keeps every app process alive through the faults it was not killed by', () => {
    expect(
      stack.crashes.map((c) => `${c.app} exited (code ${String(c.code)}, ${String(c.signal)}): ${c.tail.slice(-600)}`),
    ).toEqual([]);
  });

  it('never answers 500 (a dependency down is 503, with Retry-After), and refuses nothing it was sent', () => {
    expect(firstOf(load!.attempts.filter(unexpectedStatus).map(describeAttempt))).toEqual([]);
    const withoutRetryAfter = load!.attempts.filter((a) => a.outcome === 503 && a.retryAfter === false);
    expect(firstOf(withoutRetryAfter.map(describeAttempt))).toEqual([]);
  });

  it('answers every request while the broker is down within KAFKA_WRITE_TIMEOUT_MS + 1 s', () => {
    const brokerDown = load!.attempts.filter((a) => a.phase === 'broker-down');
    expect(brokerDown.filter((a) => a.kind !== 'inbox').length).toBeGreaterThan(0);
    const late = brokerDown.filter((a) => a.ms > KAFKA_WRITE_TIMEOUT_MS + 1_000);
    expect(firstOf(late.map(describeAttempt))).toEqual([]);
  });

  it('holds no request: every attempt answered in time, connections refused only while the gateway is down', () => {
    expect(firstOf(load!.attempts.filter(held).map(describeAttempt))).toEqual([]);
    expect(firstOf(load!.attempts.filter(refused).map(describeAttempt))).toEqual([]);
  });

  it('gets a final 202 for every referral submitted and every accept sent', () => {
    const notAccepted = (entries: Iterable<[string, Final]>): string[] =>
      [...entries]
        .filter(([, f]) => f.answer?.status !== 202)
        .map(([key, f]) =>
          !f.done
            ? `${key}: still retried`
            : f.answer === undefined
              ? `${key}: no answer by the deadline`
              : `${key}: ${f.answer.status} in ${String(f.phase)} (${detailOf(f.answer)})`,
        );
    expect(firstOf(notAccepted(load!.submissions))).toEqual([]);
    expect(firstOf(notAccepted([...load!.accepts].map(([id, f]) => [`accept ${id}`, f])))).toEqual([]);
  });

  it('has every referral answered 202 in the ledger exactly once, accepted once', () => {
    expect(load!.referralIds().length).toBeGreaterThan(20);
    expect(firstOf(lost)).toEqual([]);
    expect(ledger.submittedTwice).toEqual([]);
    expect(ledger.notAccepted.slice(0, 8)).toEqual([]);
    expect(ledger.acceptedCount).toEqual([]);
  });

  it('applies no event twice (inbox and referral history)', () => {
    expect(ledger.inboxDuplicates).toEqual([]);
    expect(ledger.historyDuplicates).toEqual([]);
  });

  it('leaves nothing behind: outbox empty, nothing parked, no dead letters', () => {
    expect(ledger.outbox).toBe(0);
    expect(ledger.parked).toBe(0);
    expect(Object.keys(dlq).length).toBeGreaterThan(0);
    expect(Object.entries(dlq).filter(([, n]) => n > 0)).toEqual([]);
  });
});
