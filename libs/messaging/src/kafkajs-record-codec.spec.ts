import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
// kafkajs' protocol modules (shapes declared in ./kafkajs-protocol.d.ts).
import encodeRecord from 'kafkajs/src/protocol/recordBatch/record/v0';
import { RecordBatch } from 'kafkajs/src/protocol/recordBatch/v0';
import decodeRecordBatch from 'kafkajs/src/protocol/recordBatch/v0/decoder';
import Decoder from 'kafkajs/src/protocol/decoder';

/**
 * patches/kafkajs+2.2.4.patch rewrites kafkajs' record encoder and decoder for speed (no
 * zero-filled 512-byte buffer per header, no Buffer per varint, headers decoded in one pass
 * instead of one object copy per header). The wire format must not move by a byte: these
 * digests were computed with stock kafkajs 2.2.4 on the same records.
 */

type KafkajsRecordInput = Parameters<typeof encodeRecord>[0];

/** Records of every shape the encoder meets: string and Buffer values, repeated headers, UTF-8, nulls, 1- to 5-byte varints. */
function sampleRecords(): KafkajsRecordInput[] {
  let seed = 1;
  const next = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
  return Array.from({ length: 600 }, (_, i) => {
    const headers: KafkajsRecordInput['headers'] = {};
    for (let h = Math.floor(next() * 14); h > 0; h--) {
      const kind = next();
      headers[`ce_h${Math.floor(next() * 6)}${'é'.repeat(Math.floor(next() * 3))}`] =
        kind < 0.3
          ? Buffer.alloc(Math.floor(next() * 600), i % 256)
          : kind < 0.8
            ? 'vé'.repeat(Math.floor(next() * 300))
            : ['a', Buffer.from('bb'), ''];
    }
    return {
      offsetDelta: i * 977,
      timestampDelta: Math.floor(next() * 1e9),
      key: next() < 0.1 ? null : `client-${i}`,
      value: next() < 0.05 ? null : Buffer.alloc(Math.floor(next() * 5000), i % 251),
      headers,
    };
  });
}

async function encodedBatch(): Promise<Buffer> {
  const records = sampleRecords();
  const batch = await RecordBatch({
    firstOffset: 0,
    firstTimestamp: 1_700_000_000_000,
    maxTimestamp: 1_700_000_000_000,
    lastOffsetDelta: records.length - 1,
    records: records.map((record) => encodeRecord(record)),
  });
  return batch.buffer;
}

const sha256 = (bytes: Buffer | string): string => createHash('sha256').update(bytes).digest('hex');
const hex = (b: Buffer | null): string | null => (b === null ? null : b.toString('hex'));

describe('kafkajs record codec, as patched', () => {
  it('is installed (npm ci applies patches/ on postinstall)', () => {
    const encoder = readFileSync(require.resolve('kafkajs/src/protocol/encoder'), 'utf8');
    const decoder = readFileSync(require.resolve('kafkajs/src/protocol/recordBatch/record/v0/decoder'), 'utf8');
    expect(encoder).toContain('Buffer.allocUnsafe(Encoder.nextPowerOfTwo(initialSize))');
    expect(decoder).not.toContain('...obj');
  });

  it('encodes a record batch byte for byte as stock kafkajs 2.2.4 does', async () => {
    const bytes = await encodedBatch();
    expect(bytes.length).toBe(2_376_671);
    expect(sha256(bytes)).toBe('8dd8042d23697bf2f51ee48bcf78384c56dc15e13cf287fb78a4feac3234eeee');
  });

  it('decodes it back as stock kafkajs 2.2.4 does: repeated headers as arrays in order, nulls kept', async () => {
    const { records } = await decodeRecordBatch(new Decoder(await encodedBatch()));
    expect(records).toHaveLength(600);
    const summary = records
      .map((r) =>
        JSON.stringify({
          o: r.offset,
          t: r.timestamp,
          k: hex(r.key),
          v: r.value === null ? null : sha256(r.value),
          h: Object.entries(r.headers).map(([k, v]) => [k, Array.isArray(v) ? v.map(hex) : hex(v)]),
        }),
      )
      .join('\n');
    expect(sha256(summary)).toBe('e0c1df0cbf6df0b6a9e9d1b5bb7c3ddae20accc9be2ce08f8ff3f68db9f3199b');
    const repeated = records.flatMap((r) => Object.values(r.headers)).find(Array.isArray);
    expect(repeated?.map((b) => b.toString())).toEqual(['a', 'bb', '']);
  });
});
