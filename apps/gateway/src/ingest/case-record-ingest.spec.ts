import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { Message } from 'kafkajs';
import { CaseRecordIngest, type LineResult, type RecordSink } from './case-record-ingest';

const FIXTURES = join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'sources');
const good = readFileSync(join(FIXTURES, 'ow-case-record.ndjson'), 'utf8')
  .split('\n')
  .filter((l) => l !== '');

class FakeSink implements RecordSink {
  readonly batches: Message[][] = [];
  constructor(private readonly failFromBatch = Infinity) {}
  send(_topic: string, messages: Message[]): Promise<void> {
    if (this.batches.length + 1 >= this.failFromBatch) return Promise.reject(new Error('broker unreachable'));
    this.batches.push(messages);
    return Promise.resolve();
  }
}

async function run(sink: RecordSink, text: string, batchRecords = 2) {
  const results: LineResult[] = [];
  const ingest = new CaseRecordIngest(sink, 'ow.case-records.v1', {
    maxLineBytes: 1_000_000,
    batchRecords,
    batchBytes: 900_000,
  });
  const summary = await ingest.run(Readable.from([Buffer.from(text)]), 'ndjson', (r) => {
    results.push(r);
  });
  return { results, summary };
}

describe('CaseRecordIngest', () => {
  it('produces accepted records in batches and reports every line in input order', async () => {
    const sink = new FakeSink();
    const { results, summary } = await run(sink, [good[0], 'nope', good[1], good[2], good[3]].join('\n'));
    expect(results.map((r) => `${r.line}:${r.status}`)).toEqual([
      '1:accepted',
      '2:rejected',
      '3:accepted',
      '4:accepted',
      '5:accepted',
    ]);
    expect(sink.batches.map((b) => b.length)).toEqual([2, 2]);
    expect(summary).toEqual({ lines: 5, accepted: 4, rejected: 1, failed: 0 });
    const headers = sink.batches[0][0].headers!;
    expect(headers).toMatchObject({
      ce_type: 'ca.on.passerelle.ow-case-record.received',
      ce_source: '/passerelle/gateway',
      ce_dataschema: 'https://schemas.passerelle.ontario.ca/v1/sources/ow-case-record.json',
      ce_time: JSON.parse(good[0]).recordedAt,
      ce_partitionkey: JSON.parse(good[0]).personal.memberId,
    });
    expect(sink.batches[0][0].key).toBe(JSON.parse(good[0]).personal.memberId);
  });

  it('never reports accepted what Kafka did not acknowledge: that batch and every later valid record fail, with the reason', async () => {
    const sink = new FakeSink(2);
    const { results, summary } = await run(sink, [good[0], good[1], good[2], 'nope', good[3], good[4]].join('\n'));
    expect(results.map((r) => `${r.line}:${r.status}`)).toEqual([
      '1:accepted',
      '2:accepted',
      '3:failed',
      '4:rejected',
      '5:failed',
      '6:failed',
    ]);
    expect(results[2]).toEqual({
      line: 3,
      status: 'failed',
      reason: 'Kafka did not acknowledge the records: broker unreachable',
    });
    expect(results[5]).toEqual({
      line: 6,
      status: 'failed',
      reason: expect.stringContaining('not produced: Kafka failed earlier in this upload'),
    });
    // Only one attempt failed: later batches are not sent to a broker that just failed.
    expect(sink.batches).toHaveLength(1);
    expect(summary).toEqual({
      lines: 6,
      accepted: 2,
      rejected: 1,
      failed: 3,
      failure: 'Kafka did not acknowledge the records: broker unreachable',
    });
  });

  it('gives the same ce_id to the same record version, whichever upload carries it', async () => {
    const first = new FakeSink();
    const second = new FakeSink();
    await run(first, good[0]);
    await run(second, `\n\n${good[0]}\n`);
    expect(second.batches[0][0].headers!.ce_id).toBe(first.batches[0][0].headers!.ce_id);
  });
});
