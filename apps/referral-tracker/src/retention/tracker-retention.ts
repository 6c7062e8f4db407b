import { Logger, type OnApplicationShutdown, type OnModuleInit, type Provider } from '@nestjs/common';
import { loadRetentionConfig, type RetentionConfig } from '@passerelle/config';
import { OPEN_STATUSES } from '@passerelle/lifecycle';
import { failureLine, recoveryLine } from '@passerelle/observability';
import { RetentionRun, RetentionSchedule, type DatabaseHandle, type RetentionReport } from '@passerelle/persistence';
import { APP_ENV, DATABASE } from '@passerelle/runtime';

/**
 * The retention job (README, "Retention") runs in the tracker, which owns most of what it purges;
 * every tracker replica runs the schedule and one of them purges per interval.
 */
export class TrackerRetention implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Retention');
  private readonly schedule: RetentionSchedule;

  constructor(database: DatabaseHandle, config: RetentionConfig) {
    const run = new RetentionRun(database.db, {
      policy: config,
      batchRows: config.batchRows,
      intervalMs: config.intervalMs,
      openReferralStatuses: OPEN_STATUSES,
    });
    this.schedule = new RetentionSchedule(run, {
      intervalMs: config.intervalMs,
      onRun: (report) => this.logger.log(summaryOf(report)),
      onError: (error, consecutive) => this.logger.warn(failureLine('running retention', error, consecutive)),
      onRecovered: (failures) => this.logger.log(recoveryLine('running retention', failures)),
    });
  }

  onModuleInit(): void {
    this.schedule.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.schedule.stop();
  }
}

/** `retention run 2026-06-01T00:00:00.000Z: inbox events=3, ...`: one line per run. */
function summaryOf(report: RetentionReport): string {
  const kinds = report.purged.map(
    ({ kind, rows }) =>
      `${kind} ${Object.entries(rows)
        .map(([what, n]) => `${what}=${n}`)
        .join(' ')}`,
  );
  return `retention run ${report.slot}: ${kinds.join(', ')}`;
}

/** Settings checked when the module is built: a bad one stops the tracker, naming it. */
export const trackerRetentionProvider: Provider = {
  provide: TrackerRetention,
  useFactory: (database: DatabaseHandle, env: NodeJS.ProcessEnv) =>
    new TrackerRetention(database, loadRetentionConfig(env)),
  inject: [DATABASE, APP_ENV],
};
