import { Logger } from '@nestjs/common';
import { once } from 'node:events';
import { PassThrough, type Readable } from 'node:stream';
import type { BulkUpload } from './bulk-upload';
import { ownerCodeOf } from './source-definition';
import type { SourceRecordIngest } from './source-record-ingest';

/** Results waiting for a slow reader beyond this many bytes pause the upload (see below). */
const RESPONSE_BUFFER_BYTES = 16 * 1024 * 1024;

/**
 * Bulk sync of a referrer's export of one source's records (`SourceRecordIngest`): starts the
 * ingest and answers at once with the stream of its results, one NDJSON line per record while the
 * upload goes on, then a summary line. An organization syncs its own caseload only (a delivery
 * agent `ow:<code>` its case records, an ODSP office `odsp:<code>` its employment records).
 */
export class SyncSourceRecords {
  private readonly logger = new Logger(SyncSourceRecords.name);

  constructor(private readonly ingest: SourceRecordIngest) {}

  execute(org: string, upload: BulkUpload): Readable {
    const out = new PassThrough();
    void this.run(ownerCodeOf(this.ingest.source, org), upload, out);
    return out;
  }

  private async run(owner: string, { format, body }: BulkUpload, out: PassThrough): Promise<void> {
    // A client that reads no results while it uploads must not stall the upload (it could never
    // finish): results are buffered up to RESPONSE_BUFFER_BYTES before the upload waits for it.
    const write = async (value: unknown): Promise<void> => {
      out.write(`${JSON.stringify(value)}\n`);
      if (out.writableLength > RESPONSE_BUFFER_BYTES && !out.destroyed) {
        await Promise.race([once(out, 'drain'), once(out, 'close')]);
      }
    };
    try {
      const summary = await this.ingest.run(body, format, write, owner);
      if (summary.failure !== undefined) this.logger.error(`bulk upload: ${summary.failure}`);
      out.end(`${JSON.stringify({ summary })}\n`);
    } catch (error) {
      // The upload broke off (client gone) or something unexpected: no summary line is written,
      // which tells the client the results are incomplete.
      const reason = error instanceof Error ? error : new Error(String(error));
      this.logger.warn(`bulk upload interrupted: ${reason.message}`);
      out.destroy(reason);
      body.destroy();
    }
  }
}

/** `POST /v1/ow/case-records:batch`: a delivery agent's OW case records. */
export class SyncOwCaseRecords extends SyncSourceRecords {}

/** `POST /v1/odsp/employment-records:batch`: an ODSP office's employment records. */
export class SyncOdspEmploymentRecords extends SyncSourceRecords {}
