import { waitFor } from '../support/kafka';
import { EVENT_APPS, terminateAppSessions, type FaultStack } from './fault-stack';
import { ledgerState } from './ledger-checks';
import type { FaultLoad, RequestKind } from './load';
import type { PhaseSpan } from './report';

export interface ScenarioResult {
  spans: PhaseSpan[];
  /** Phases that did not reach their signal (recovery, settling), with why. */
  problems: string[];
  /** Sessions `pg_terminate_backend` ended in the second PostgreSQL fault. */
  terminatedSessions: number;
}

const ok = (o: unknown): boolean => o === 202;
const POSTS: RequestKind[] = ['submit', 'accept'];

/**
 * The faults, one after another under the load, each followed by a wait for the load to show
 * the stack working again; then the load stops and the stack settles. A phase that does not
 * reach its signal is recorded (not thrown), so the later faults and the checks still run.
 */
export async function runScenario(stack: FaultStack, load: FaultLoad): Promise<ScenarioResult> {
  const result: ScenarioResult = { spans: [], problems: [], terminatedSessions: 0 };
  const phase = async (name: string, body: () => Promise<void>): Promise<void> => {
    load.phase = name;
    const startedAt = Date.now();
    try {
      await body();
    } catch (error) {
      result.problems.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      result.spans.push({ name, startedAt, endedAt: Date.now() });
    }
  };
  /**
   * New referrals answered 202 and accepts answered 202 in this phase: the whole loop works.
   * Once a phase did not recover, the later ones wait less: the run stays bounded when broken.
   */
  const recovered = async (name: string, submits: number, accepts: number): Promise<void> => {
    const timeoutMs = result.problems.length === 0 ? 30_000 : 10_000;
    await waitFor(
      () => load.count(name, 'submit', ok) >= submits && load.count(name, 'accept', ok) >= accepts,
      timeoutMs,
      `${submits} referrals and ${accepts} accepts answered 202 in ${name}`,
    );
  };
  /**
   * The fault lasts until the load has hit it `hits` times (POST attempts answered or failed) and
   * for `minMs` at least, `maxMs` at most: long enough to be seen, never longer than needed.
   */
  const underFault = async (name: string, hits: number, minMs: number, maxMs: number): Promise<void> => {
    const from = Date.now();
    const hit = (): number => POSTS.reduce((n, kind) => n + load.count(name, kind), 0);
    await waitFor(() => hit() >= hits && Date.now() - from >= minMs, maxMs, 'the load to hit the fault').catch(
      () => undefined, // a load held by the fault hits it less: the latency checks report that
    );
  };

  await phase('baseline', async () => {
    await waitFor(
      () => load.count('baseline', 'submit', ok) >= 5 && load.count('baseline', 'accept', ok) >= 3,
      90_000, // the first referrals wait for every consumer group to form
      'the first referrals submitted and accepted',
    );
  });

  await phase('broker-down', async () => {
    await stack.broker.kill();
    try {
      await underFault('broker-down', 8, 2_000, 20_000);
    } finally {
      await stack.broker.start(); // KRaft waits out the dead broker's session: ~15 s of this phase
    }
  });
  await phase('broker-back', () => recovered('broker-back', 3, 2));

  await phase('gateway-killed', async () => {
    const gateway = stack.apps.get('gateway')!;
    await gateway.kill();
    try {
      await underFault('gateway-killed', 4, 0, 10_000);
    } finally {
      await gateway.start();
    }
    await recovered('gateway-killed', 3, 2);
  });

  await phase('pg-unreachable', async () => {
    stack.proxy.cut();
    try {
      await underFault('pg-unreachable', 8, 4_000, 15_000);
    } finally {
      stack.proxy.restore();
    }
  });
  await phase('pg-back', () => recovered('pg-back', 3, 2));

  await phase('pg-terminated', async () => {
    result.terminatedSessions = await terminateAppSessions(stack.proxy);
    if (result.terminatedSessions === 0) throw new Error('no app session to terminate');
    await recovered('pg-terminated', 3, 2);
  });

  for (const app of EVENT_APPS) {
    await phase(`${app}-killed`, async () => {
      const child = stack.apps.get(app)!;
      await child.kill();
      await child.start();
      await recovered(`${app}-killed`, 2, 2);
    });
  }

  await phase('settle', async () => {
    // Keys held by lost attempts free themselves after a minute: the last ones can take that long.
    const until = Date.now() + 120_000;
    const left = (): number => Math.max(1, until - Date.now());
    await load.stopSubmitting();
    await waitFor(() => [...load.submissions.values()].every((f) => f.done), left(), 'every submission answered');
    await waitFor(
      () => load.referralIds().every((id) => load.accepts.get(id)?.done),
      left(),
      'an accept answered for every referral',
    );
    await load.stop();
    const ids = load.referralIds();
    await waitFor(
      async () => {
        const state = await ledgerState(stack.database, ids);
        return state.missing.length === 0 && state.notAccepted.length === 0 && state.outbox === 0;
      },
      Math.max(left(), 10_000),
      'every referral accepted in the ledger and the outbox drained',
    );
  });
  return result;
}
