import { schemaRegistry } from '@passerelle/contracts';
import { encodeCloudEvent, type EncodedCloudEvent } from '@passerelle/messaging';
import { parseCsvHeader, parseCsvRow, type CsvColumn } from './csv-record';
import type { IngestConfig } from './ingest.config';
import { IngestErrorCode, type LineError, type LineParse } from './line-result';
import { splitLines, type SplitLine } from './line-splitter';
import { parseNdjsonLine } from './ndjson-record';
import { unmappedCodeErrors } from './received-record';
import { SchemaFieldTypes } from './schema-field-types';
import type { SourceDefinition } from './source-definition';

export type IngestFormat = 'ndjson' | 'csv';

/** One line of the response: what became of one input record (`schemas/common/bulk-line-result.json`). */
export type LineResult =
  | { line: number; status: 'accepted' }
  | { line: number; status: 'rejected'; errors: LineError[] }
  | { line: number; status: 'failed'; reason: string };

export interface IngestSummary {
  /** Records read (non-empty lines; a CSV header row is not a record unless it was rejected). */
  lines: number;
  accepted: number;
  rejected: number;
  /** Valid records that were not stored because Kafka failed. */
  failed: number;
  /** Why Kafka failed, when it did. */
  failure?: string;
}

/** Where accepted records go: `EventPublisher.send` (acks=all) fits. */
export interface RecordSink {
  send(topic: string, messages: EncodedCloudEvent[]): Promise<void>;
}

type Pending = { line: number; message: EncodedCloudEvent } | { line: number; result: LineResult };

/**
 * Bulk sync of one source's records (OW case records, ODSP employment records: its
 * `SourceDefinition`): reads an NDJSON or CSV upload line by line (never whole), checks every
 * record (syntax, the source schema, owner, source codes with a canonical mapping, size), produces
 * the good ones to the source's raw topic in batches with acks=all and reports each line in input
 * order. `accepted` is reported only once the record's batch was acknowledged; when Kafka fails,
 * that batch and every later valid record are reported `failed`, never `accepted`.
 */
export class SourceRecordIngest {
  private readonly fieldTypes: SchemaFieldTypes;

  constructor(
    readonly source: SourceDefinition,
    private readonly sink: RecordSink,
    private readonly topic: string,
    private readonly config: IngestConfig,
  ) {
    this.fieldTypes = new SchemaFieldTypes(source.schemaId);
  }

  /**
   * `owner`: the caller's organization code (`ottawa` of `ow:ottawa`, `central` of
   * `odsp:central`); a record of any other owner is rejected, so no organization writes into
   * another's caseload.
   */
  async run(
    body: AsyncIterable<Buffer | Uint8Array | string>,
    format: IngestFormat,
    emit: (result: LineResult) => void | Promise<void>,
    owner?: string,
  ): Promise<IngestSummary> {
    const { maxLineBytes, batchRecords, batchBytes } = this.config;
    const summary: IngestSummary = { lines: 0, accepted: 0, rejected: 0, failed: 0 };
    let queue: Pending[] = [];
    let messages: EncodedCloudEvent[] = [];
    let bytes = 0;
    let header: { ok: true; columns: readonly CsvColumn[] } | { ok: false; line: number } | undefined;

    const report = async (result: LineResult): Promise<void> => {
      summary.lines += 1;
      summary[result.status] += 1;
      await emit(result);
    };

    /** Produces one batch and reports its lines: acknowledged, or failed with the reason. */
    const produce = async (batch: EncodedCloudEvent[], lines: Pending[]): Promise<void> => {
      let reason: string | undefined;
      if (batch.length > 0) {
        if (summary.failure === undefined) {
          try {
            await this.sink.send(this.topic, batch);
          } catch (error) {
            summary.failure = `Kafka did not acknowledge the records: ${(error as Error).message}`;
            reason = summary.failure;
          }
        } else {
          reason = `not produced: Kafka failed earlier in this upload (${summary.failure})`;
        }
      }
      for (const item of lines) {
        if ('result' in item) await report(item.result);
        else
          await report(
            reason === undefined
              ? { line: item.line, status: 'accepted' }
              : { line: item.line, status: 'failed', reason },
          );
      }
    };

    // One batch is produced (sealed, sent, acknowledged) while the next one is read and checked:
    // the sink's round trips overlap the parsing. Each batch starts once the one before is
    // reported, so lines are reported in input order, a Kafka failure is known before the next
    // batch would go, and at most two batches are held.
    let inFlight: Promise<void> = Promise.resolve();
    const flush = async (): Promise<void> => {
      const batch = messages;
      const lines = queue;
      queue = [];
      messages = [];
      bytes = 0;
      await inFlight;
      inFlight = produce(batch, lines);
      // Handled here so a failure waiting to be awaited is not an unhandled rejection; the next
      // flush (or the end of the upload) awaits it and throws.
      inFlight.catch(() => undefined);
    };

    const reject = (line: number, errors: LineError[]): void => {
      queue.push({ line, result: { line, status: 'rejected', errors } });
    };

    for await (const split of splitLines(body, { maxLineBytes })) {
      const parsed = this.parseLine(split, format, header);
      if (parsed.header !== undefined) {
        header = parsed.header.ok ? parsed.header : { ok: false, line: split.line };
        if (!parsed.header.ok) reject(split.line, parsed.header.errors);
      } else if (!parsed.ok) {
        reject(split.line, parsed.errors);
      } else {
        const checked = this.check(parsed.value, maxLineBytes, owner);
        if (!checked.ok) reject(split.line, checked.errors);
        else {
          const size = checked.message.value instanceof Buffer ? checked.message.value.length : 0;
          if (messages.length > 0 && bytes + size > batchBytes) await flush();
          queue.push({ line: split.line, message: checked.message });
          messages.push(checked.message);
          bytes += size;
        }
      }
      // Rejected lines wait behind accepted ones (results stay in input order), but never many.
      if (messages.length >= batchRecords || bytes >= batchBytes || queue.length >= batchRecords * 4) await flush();
    }
    await flush();
    await inFlight;
    return summary;
  }

  private parseLine(
    split: SplitLine,
    format: IngestFormat,
    header: { ok: true; columns: readonly CsvColumn[] } | { ok: false; line: number } | undefined,
  ): (LineParse & { header?: undefined }) | { header: ReturnType<typeof parseCsvHeader> } {
    if (split.kind === 'too-large') {
      return {
        ok: false,
        errors: [
          {
            pointer: '',
            code: IngestErrorCode.tooLarge,
            message: `line is ${split.bytes} bytes, over the limit of ${this.config.maxLineBytes}`,
          },
        ],
      };
    }
    if (split.kind === 'bad-encoding') {
      return { ok: false, errors: [{ pointer: '', code: IngestErrorCode.encoding, message: `line ${split.message}` }] };
    }
    if (format === 'ndjson') return parseNdjsonLine(split.text);
    if (header === undefined) return { header: parseCsvHeader(split.text, this.fieldTypes) };
    if (!header.ok) {
      return {
        ok: false,
        errors: [
          { pointer: '', code: IngestErrorCode.csvHeader, message: `the header row (line ${header.line}) is invalid` },
        ],
      };
    }
    return parseCsvRow(split.text, header.columns);
  }

  /** Schema, source codes, size: the record as a Kafka message, or why it is refused. */
  private check(
    value: unknown,
    maxBytes: number,
    owner: string | undefined,
  ): { ok: true; message: EncodedCloudEvent } | { ok: false; errors: LineError[] } {
    const { source } = this;
    const validation = schemaRegistry().validate(source.schemaId, value);
    if (!validation.ok) return { ok: false, errors: validation.errors };
    const record = validation.value;
    const recordOwner = source.owner(record);
    if (owner !== undefined && recordOwner.code !== owner) {
      return {
        ok: false,
        errors: [
          {
            pointer: recordOwner.pointer,
            code: source.orgKind === 'ow' ? IngestErrorCode.otherDeliveryAgent : IngestErrorCode.otherOffice,
            message: `the record belongs to another ${source.ownerNoun} than ${source.orgKind}:${owner}`,
          },
        ],
      };
    }
    const unmapped = unmappedCodeErrors(source.schemaId, record);
    if (unmapped.length > 0) return { ok: false, errors: unmapped };
    const message = encodeCloudEvent(source.event(record));
    const size = (message.value as Buffer).length;
    if (size > maxBytes) {
      return {
        ok: false,
        errors: [
          {
            pointer: '',
            code: IngestErrorCode.tooLarge,
            message: `record is ${size} bytes as JSON, over the limit of ${maxBytes}`,
          },
        ],
      };
    }
    return { ok: true, message };
  }
}
