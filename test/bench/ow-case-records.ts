import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { OwCaseRecord } from '@passerelle/contracts';
import { deterministicEventId, type CloudEvent } from '@passerelle/messaging';

/** Input of the OW benchmarks: the fixture case records, renumbered into as many distinct people as a run needs. */
const RAW_TYPE = 'ca.on.passerelle.ow-case-record.received';

/** The fixtures of `test/fixtures/sources/ow-case-record.ndjson`, whether this runs compiled (dist/test/bench) or not. */
export function owCaseRecordTemplates(): OwCaseRecord[] {
  const root = resolve(__dirname, '..', '..', ...(__dirname.includes(join('dist', 'test')) ? ['..'] : []));
  return readFileSync(join(root, 'test', 'fixtures', 'sources', 'ow-case-record.ndjson'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as OwCaseRecord);
}

/** Which numbers a series of records takes, so two series never share a record or a person. */
export interface CaseRecordSeries {
  recordIdPrefix: string;
  firstMemberId: number;
}

/** Record `n` of a series: a fixture with its own member and record id, as in a real export. */
export function numberedCaseRecord(templates: OwCaseRecord[], n: number, series: CaseRecordSeries): OwCaseRecord {
  const template = templates[n % templates.length];
  return {
    ...template,
    sourceRecordId: `${series.recordIdPrefix}${n}`,
    personal: { ...template.personal, memberId: String(series.firstMemberId + n) },
  };
}

/** The raw CloudEvent the gateway would produce for `record` on `ow.case-records.v1` (keyed by member id). */
export function rawCaseRecordEvent(record: OwCaseRecord): CloudEvent<OwCaseRecord> {
  return {
    specversion: '1.0',
    id: deterministicEventId({
      sourceSystem: 'bench',
      recordId: record.sourceRecordId,
      version: record.recordVersion,
      type: RAW_TYPE,
    }),
    source: '/v1/ow/case-records',
    type: RAW_TYPE,
    time: record.recordedAt,
    partitionkey: record.personal.memberId,
    datacontenttype: 'application/json',
    data: record,
  };
}
