import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { schemaIdForPath, schemaRegistry, type OwCaseRecord } from '@passerelle/contracts';
import { mapOwCaseRecord } from '../../apps/ow-adapter/src/mapping';
import { progress, round, type BenchResult } from './bench';

/**
 * ow.backfill-mapping: a provincial backfill of 1,000,000 OW case records through the adapter's
 * CPU path (source-schema validation, the pure mapping, canonical validation of every event) on
 * one core, in records/s. Baseline: the target, 1,000,000 records in 2 minutes (8,333 records/s);
 * ratio >= 1 means the backfill fits in the target. Kafka and PostgreSQL are not involved: this
 * measures what the adapter itself costs per record.
 */
const NAME = 'ow.backfill-mapping';
const TARGET_SECONDS = 120;

export async function owBackfillBench(): Promise<BenchResult> {
  const total = Number(process.env.BENCH_BACKFILL_RECORDS ?? 1_000_000);
  const root = resolve(__dirname, '..', '..', ...(__dirname.includes(`${join('dist', 'test')}`) ? ['..'] : []));
  const templates = readFileSync(join(root, 'test', 'fixtures', 'sources', 'ow-case-record.ndjson'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as OwCaseRecord);
  const sourceSchema = schemaIdForPath('sources/ow-case-record.json');
  const registry = schemaRegistry();
  let events = 0;
  const started = process.hrtime.bigint();
  for (let n = 0; n < total; n += 1) {
    const template = templates[n % templates.length];
    // A distinct member and record per iteration, as in a real export.
    const record: OwCaseRecord = {
      ...template,
      sourceRecordId: `BACKFILL-${n}`,
      personal: { ...template.personal, memberId: String(100_000_000 + n) },
    };
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
  return { name: NAME, ours, baseline, unit: 'records/s', ratio: round(ours / baseline) };
}
