import { Readable } from 'node:stream';
import { splitLines, type SplitLine } from './line-splitter';

/** The parts as one stream's chunks, each arriving on its own. */
function chunks(...parts: (string | Buffer)[]): Readable {
  return Readable.from(parts.map((part) => (Buffer.isBuffer(part) ? part : Buffer.from(part))));
}
async function collect(source: AsyncIterable<Buffer>, maxLineBytes = 1000): Promise<SplitLine[]> {
  const out: SplitLine[] = [];
  for await (const line of splitLines(source, { maxLineBytes })) out.push(line);
  return out;
}
const line = (n: number, text: string): SplitLine => ({ kind: 'line', line: n, text });

describe('splitLines', () => {
  it('joins lines cut across chunk boundaries, and splits chunks holding several lines', async () => {
    expect(await collect(chunks('{"a":', '1}\n{"b"', ':2}\n{"c":3}\n{"d":', '4}'))).toEqual([
      line(1, '{"a":1}'),
      line(2, '{"b":2}'),
      line(3, '{"c":3}'),
      line(4, '{"d":4}'),
    ]);
  });

  it('gives the same lines whatever the chunking, byte by byte included', async () => {
    const text = 'é1\r\nç2\n\n3';
    const bytes = Buffer.from(text);
    const oneByOne = [...bytes].map((b) => Buffer.from([b]));
    expect(await collect(chunks(...oneByOne))).toEqual(await collect(chunks(text)));
    expect(await collect(chunks(text))).toEqual([line(1, 'é1'), line(2, 'ç2'), line(4, '3')]);
  });

  it('strips CRLF endings, even when the CR and LF arrive in different chunks', async () => {
    expect(await collect(chunks('a\r', '\nb\r\n'))).toEqual([line(1, 'a'), line(2, 'b')]);
  });

  it('skips empty and blank lines but keeps counting them, and ignores a leading BOM', async () => {
    expect(await collect(chunks('\uFEFFa\n\n  \n\r\nb\n\n'))).toEqual([line(1, 'a'), line(5, 'b')]);
  });

  it('reports a line over the limit with its size, without keeping it, and goes on with the next', async () => {
    const big = 'x'.repeat(2500);
    expect(await collect(chunks('ok\n', big.slice(0, 1200), big.slice(1200), '\nnext\n'), 1000)).toEqual([
      line(1, 'ok'),
      { kind: 'too-large', line: 2, bytes: 2500 },
      line(3, 'next'),
    ]);
  });

  it('accepts a line of exactly the limit, CRLF or not, and refuses one byte more', async () => {
    const at = 'y'.repeat(10);
    expect(await collect(chunks(`${at}\r\n${at}\n${at}z\n${at}z\r\n`), 10)).toEqual([
      line(1, at),
      line(2, at),
      { kind: 'too-large', line: 3, bytes: 11 },
      { kind: 'too-large', line: 4, bytes: 12 },
    ]);
  });

  it('reports a line that is not UTF-8', async () => {
    expect(await collect(chunks(Buffer.from([0x61, 0xff, 0x0a]), 'b'))).toEqual([
      { kind: 'bad-encoding', line: 1, message: 'is not valid UTF-8' },
      line(2, 'b'),
    ]);
  });
});
