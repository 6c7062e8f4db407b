/**
 * A drill, not a test: restarts the machine's PostgreSQL server ten times while the fault stack
 * takes a steady load, then says how the requests were answered and whether any app exited.
 * It stops the shared server, so it is run by hand on a development machine, never in CI:
 *   node -r ./scripts/register-ts.cjs test/faults/pg-restart-drill.ts
 */
import { execSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { newFaultStack, startFaultStack, stopFaultStack } from './fault-stack';
import { FaultLoad } from './load';

const RESTARTS = Number(process.env.DRILL_RESTARTS ?? 10);
const cluster = readdirSync('/etc/postgresql')[0];
const pause = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

async function drill(): Promise<void> {
  const stack = newFaultStack();
  await startFaultStack(stack);
  const load = new FaultLoad({
    base: stack.base,
    referrerToken: stack.referrerToken,
    providerToken: stack.providerToken,
    deadline: Date.now() + 10 * 60_000,
    concurrency: 4,
    paceMs: 250,
    attemptTimeoutMs: 15_000,
  });
  try {
    load.start();
    await pause(5_000);
    for (let n = 1; n <= RESTARTS; n += 1) {
      load.phase = `restart-${n}`;
      execSync(`pg_ctlcluster --skip-systemctl-redirect ${cluster} main restart`, { stdio: 'inherit' });
      await pause(5_000);
    }
    load.phase = 'settle';
    await pause(20_000);
    await load.stop();
    const byOutcome = new Map<string, number>();
    for (const attempt of load.attempts) {
      const key = String(attempt.outcome);
      byOutcome.set(key, (byOutcome.get(key) ?? 0) + 1);
    }
    const finals = [...load.submissions.values()];
    console.log(
      JSON.stringify(
        {
          restarts: RESTARTS,
          attempts: Object.fromEntries(byOutcome),
          submissions: finals.length,
          submissionsAnswered202: finals.filter((f) => f.answer?.status === 202).length,
          appExits: stack.crashes.map((c) => `${c.app} code=${String(c.code)} signal=${String(c.signal)}`),
        },
        null,
        2,
      ),
    );
  } finally {
    await load.stop();
    await stopFaultStack(stack);
  }
}

void drill();
