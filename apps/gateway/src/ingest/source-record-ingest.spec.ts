import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { Message } from 'kafkajs';
import { ODSP_EMPLOYMENT_RECORDS, OW_CASE_RECORDS, type SourceDefinition } from './source-definition';
import { SourceRecordIngest, type LineResult, type RecordSink } from './source-record-ingest';

const FIXTURES = join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'sources');
const lines = (file: string): string[] =>
  readFileSync(join(FIXTURES, file), 'utf8')
    .split('\n')
    .filter((l) => l !== '');
const good = lines('ow-case-record.ndjson');
const odsp = lines('odsp-employment-record.ndjson');

class FakeSink implements RecordSink {
  readonly batches: Message[][] = [];
  constructor(private readonly failFromBatch = Infinity) {}
  send(_topic: string, messages: Message[]): Promise<void> {
    if (this.batches.length + 1 >= this.failFromBatch) return Promise.reject(new Error('broker unreachable'));
    this.batches.push(messages);
    return Promise.resolve();
  }
}

async function run(
  sink: RecordSink,
  text: string,
  batchRecords = 2,
  source: SourceDefinition = OW_CASE_RECORDS,
  owner?: string,
) {
  const results: LineResult[] = [];
  const ingest = new SourceRecordIngest(source, sink, source.topic, {
    maxLineBytes: 1_000_000,
    batchRecords,
    batchBytes: 900_000,
  });
  const summary = await ingest.run(
    Readable.from([Buffer.from(text)]),
    'ndjson',
    (r) => {
      results.push(r);
    },
    owner,
  );
  return { results, summary };
}

describe('SourceRecordIngest', () => {
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

  it('reads the next batch while one is being produced, and starts a batch only once the one before is reported', async () => {
    // A sink whose sends are acknowledged only when the test says so.
    const sends: Array<{ size: number; ack: () => void }> = [];
    const sink: RecordSink = {
      send: (_topic, messages) => new Promise<void>((ack) => sends.push({ size: messages.length, ack })),
    };
    let linesRead = 0;
    // An upload read a line at a time, counting the lines the ingest has pulled so far.
    const upload: AsyncIterable<Buffer> = {
      [Symbol.asyncIterator]: () => ({
        next: () =>
          Promise.resolve(
            linesRead < 6
              ? { value: Buffer.from(`${good[linesRead++]}\n`), done: false as const }
              : { value: undefined, done: true as const },
          ),
      }),
    };
    const results: LineResult[] = [];
    const ingest = new SourceRecordIngest(OW_CASE_RECORDS, sink, 'raw', {
      maxLineBytes: 1_000_000,
      batchRecords: 2,
      batchBytes: 900_000,
    });
    const done = ingest.run(upload, 'ndjson', (r) => {
      results.push(r);
    });
    // Waits on the ingest's progress, giving up (failing the test) if it never comes.
    const until = async (check: () => boolean) => {
      const deadline = Date.now() + 2_000;
      while (!check()) {
        if (Date.now() > deadline) throw new Error(`stuck: ${sends.length} sends, ${linesRead} lines read`);
        await new Promise((tick) => setImmediate(tick));
      }
    };
    // Batch 1 is in flight, unacknowledged; batch 2 is read meanwhile but not sent before it.
    await until(() => sends.length === 1 && linesRead >= 4);
    expect(results).toEqual([]);
    expect(sends).toHaveLength(1);
    sends[0].ack();
    await until(() => sends.length === 2);
    expect(results.map((r) => r.line)).toEqual([1, 2]);
    sends[1].ack();
    await until(() => sends.length === 3);
    sends[2].ack();
    expect(await done).toEqual({ lines: 6, accepted: 6, rejected: 0, failed: 0 });
    expect(results.map((r) => `${r.line}:${r.status}`)).toEqual([1, 2, 3, 4, 5, 6].map((line) => `${line}:accepted`));
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

  it('takes ODSP employment records by their own definition: schema, event type, key, and the office as owner', async () => {
    const sink = new FakeSink();
    const central = odsp.filter((l) => (JSON.parse(l) as { office: { code: string } }).office.code === 'central');
    const other = odsp.find((l) => (JSON.parse(l) as { office: { code: string } }).office.code !== 'central')!;
    const { results, summary } = await run(sink, [central[0], other].join('\n'), 2, ODSP_EMPLOYMENT_RECORDS, 'central');
    expect(results).toEqual([
      { line: 1, status: 'accepted' },
      {
        line: 2,
        status: 'rejected',
        errors: [
          {
            pointer: '/office/code',
            code: 'other-office',
            message: 'the record belongs to another ODSP office than odsp:central',
          },
        ],
      },
    ]);
    expect(summary).toEqual({ lines: 2, accepted: 1, rejected: 1, failed: 0 });
    expect(sink.batches[0][0].headers).toMatchObject({
      ce_type: 'ca.on.passerelle.odsp-employment-record.received',
      ce_dataschema: 'https://schemas.passerelle.ontario.ca/v1/sources/odsp-employment-record.json',
    });
    expect(sink.batches[0][0].key).toBe(
      (JSON.parse(central[0]) as { personal: { memberId: string } }).personal.memberId,
    );
  });

  it('checks an upload against its own source schema: an OW case record is not an ODSP employment record', async () => {
    const { results } = await run(new FakeSink(), good[0], 2, ODSP_EMPLOYMENT_RECORDS);
    expect(results[0]).toMatchObject({ line: 1, status: 'rejected' });
  });

  it('rejects an OW record of another delivery agent, naming deliveryAgent.code', async () => {
    const record = JSON.parse(good[0]) as { deliveryAgent: { code: string } };
    const { results } = await run(new FakeSink(), good[0], 2, OW_CASE_RECORDS, `not-${record.deliveryAgent.code}`);
    expect(results[0]).toMatchObject({
      status: 'rejected',
      errors: [{ pointer: '/deliveryAgent/code', code: 'other-delivery-agent' }],
    });
  });
});
