import type { HealthCheck, HealthReport } from '@passerelle/contracts';

export type Probe = () => Promise<void>;

/** Runs every probe in parallel; the report names each dependency up or down, and why. */
export async function checkReadiness(probes: Record<string, Probe>): Promise<HealthReport> {
  const entries = await Promise.all(
    Object.entries(probes).map(async ([name, probe]): Promise<[string, HealthCheck]> => {
      try {
        await probe();
        return [name, { status: 'up' }];
      } catch (error) {
        return [name, { status: 'down', detail: (error as Error).message || String(error) }];
      }
    }),
  );
  const checks = Object.fromEntries(entries);
  const status = entries.every(([, check]) => check.status === 'up') ? 'ok' : 'error';
  return { status, checks };
}
