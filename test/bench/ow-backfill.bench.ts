import { schemaIdForPath, schemaRegistry, type OwCaseRecord } from '@passerelle/contracts';
import { mapOwCaseRecord } from '../../apps/ow-adapter/src/mapping';
import { progress, round, type BenchResult } from './bench';
import { numberedCaseRecord, owCaseRecordTemplates } from './ow-case-records';

/**
 * ow.backfill-mapping: a provincial backfill of 1,000,000 OW case records through the adapter's
 * CPU path (source-schema validation, the pure mapping, canonical validation of every event) on
 * one core, in records/s. Baseline: the target, 1,000,000 records in 2 minutes (8,333 records/s);
 * ratio >= 1 means the backfill fits in the target. Kafka and PostgreSQL are not involved: this
 * measures what the adapter itself costs per record.
 */
const NAME = 'ow.backfill-mapping';
const TARGET_SECONDS = 120;

/** Runs on the calling thread, synchronously: the promise is only what the runner expects. */
export function owBackfillBench(): Promise<BenchResult> {
  const total = Number(process.env.BENCH_BACKFILL_RECORDS ?? 1_000_000);
  const templates = owCaseRecordTemplates();
  const sourceSchema = schemaIdForPath('sources/ow-case-record.json');
  const registry = schemaRegistry();
  let events = 0;
  const started = process.hrtime.bigint();
  for (let n = 0; n < total; n += 1) {
    const record = numberedCaseRecord(templates, n, { recordIdPrefix: 'BACKFILL-', firstMemberId: 100_000_000 });
    const valid = registry.validate<OwCaseRecord>(sourceSchema, record);
    if (!valid.ok) throw new Error(`generated record ${n} is invalid: ${JSON.stringify(valid.errors)}`);
    const mapped = mapOwCaseRecord(valid.value, {
      clientId: '00000000-0000-5000-8000-000000000000',
      sourceEventId: `raw-${n}`,
    });
    if (!mapped.ok) throw new Error(`record ${n} refused: ${mapped.reasons.join('; ')}`);
    for (const { event } of mapped.events) {
      if (!registry.validate(event.dataschema ?? '', event.data).ok)
        throw new Error(`record ${n}: ${event.type} invalid`);
    }
    events += mapped.events.length;
    if (n > 0 && n % 100_000 === 0) progress(`${NAME}: ${n} records`);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  progress(`${NAME}: ${total} records -> ${events} events in ${seconds.toFixed(1)} s (target ${TARGET_SECONDS} s)`);
  const ours = Math.round(total / seconds);
  const baseline = Math.round(1_000_000 / TARGET_SECONDS);
  return Promise.resolve({ name: NAME, ours, baseline, unit: 'records/s', ratio: round(ours / baseline) });
}
