/** One physical line of an upload, as {@link splitLines} yields it. */
export type SplitLine =
  | { readonly kind: 'line'; readonly line: number; readonly text: string }
  | { readonly kind: 'too-large'; readonly line: number; readonly bytes: number }
  | { readonly kind: 'bad-encoding'; readonly line: number; readonly message: string };

export interface SplitLinesOptions {
  /** Longest line kept, in bytes (line break excluded). Longer lines are skipped, never buffered. */
  maxLineBytes: number;
}

const LF = 0x0a;
const CR = 0x0d;
const BOM = '\uFEFF';

/**
 * Splits a byte stream into lines (LF or CRLF), counting physical lines from 1: a line may span
 * any number of chunks, and a chunk any number of lines. Empty (or blank) lines are skipped but
 * still counted, so line numbers match what an editor shows. A line longer than `maxLineBytes` is
 * reported as `too-large` with its size while its bytes are dropped as they arrive: memory stays
 * bounded by `maxLineBytes` whatever the input. Text is strict UTF-8 (a leading BOM is ignored);
 * a line that is not UTF-8 is reported as `bad-encoding`.
 */
export async function* splitLines(
  source: AsyncIterable<Buffer | Uint8Array | string>,
  options: SplitLinesOptions,
): AsyncGenerator<SplitLine> {
  const { maxLineBytes } = options;
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  let parts: Buffer[] = [];
  let size = 0; // bytes of the current line seen so far (dropped ones included)
  let tooLarge = false;
  let line = 0;

  const finish = (): SplitLine | undefined => {
    line += 1;
    const bytes = size;
    const kept = parts;
    parts = [];
    size = 0;
    if (tooLarge) {
      tooLarge = false;
      return { kind: 'too-large', line, bytes };
    }
    let buffer = kept.length === 1 ? kept[0] : Buffer.concat(kept, bytes);
    if (buffer.length > 0 && buffer[buffer.length - 1] === CR) buffer = buffer.subarray(0, buffer.length - 1);
    if (buffer.length > maxLineBytes) return { kind: 'too-large', line, bytes };
    let text: string;
    try {
      text = decoder.decode(buffer);
    } catch {
      return { kind: 'bad-encoding', line, message: 'is not valid UTF-8' };
    }
    if (line === 1 && text.startsWith(BOM)) text = text.slice(1);
    if (text.trim() === '') return undefined;
    return { kind: 'line', line, text };
  };

  const append = (piece: Buffer): void => {
    size += piece.length;
    if (tooLarge) return;
    // One byte of slack for the CR of a CRLF line ending.
    if (size > maxLineBytes + 1) {
      tooLarge = true;
      parts = [];
      return;
    }
    // Copy: the chunk's own buffer must not be pinned by a short slice of it.
    parts.push(Buffer.from(piece));
  };

  for await (const input of source) {
    const chunk = typeof input === 'string' ? Buffer.from(input) : Buffer.isBuffer(input) ? input : Buffer.from(input);
    let start = 0;
    for (let end = chunk.indexOf(LF, start); end !== -1; end = chunk.indexOf(LF, start)) {
      append(chunk.subarray(start, end));
      start = end + 1;
      const result = finish();
      if (result) yield result;
    }
    if (start < chunk.length) append(chunk.subarray(start));
  }
  // A line too large has a size too: both are reset together.
  if (size > 0) {
    const result = finish();
    if (result) yield result;
  }
}
