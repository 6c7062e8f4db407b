import { Access } from '../auth/access';
import { principalOf } from '../auth/auth.guard';
import {
  Controller,
  HttpCode,
  Inject,
  Logger,
  Post,
  Req,
  Res,
  UnsupportedMediaTypeException,
  type OnModuleInit,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { EventPublisher, TopicNames } from '@passerelle/messaging';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { once } from 'node:events';
import { PassThrough, Readable } from 'node:stream';
import type { GatewayConfig } from '../gateway.config';
import { GATEWAY_CONFIG } from '../tokens';
import { CaseRecordIngest, type IngestFormat } from './case-record-ingest';
import { loadIngestConfig } from './ingest.config';

/** Media types of a bulk upload, and the format each one carries. */
export const BULK_MEDIA_TYPES: Readonly<Record<string, IngestFormat>> = {
  'application/x-ndjson': 'ndjson',
  'text/csv': 'csv',
};
export const NDJSON_MEDIA_TYPE = 'application/x-ndjson';

/** Results waiting for a slow reader beyond this many bytes pause the upload (see below). */
const RESPONSE_BUFFER_BYTES = 16 * 1024 * 1024;

/**
 * `POST /v1/ow/case-records:batch`: bulk sync of a delivery agent's export. The request body is
 * never buffered: its content-type parser hands the raw stream over (so Fastify's body limit does
 * not apply to this route; memory is bounded by the longest line allowed instead), and results are
 * streamed back as NDJSON while the upload goes on.
 */
@Controller('ow')
export class CaseRecordsBatchController implements OnModuleInit {
  private readonly logger = new Logger(CaseRecordsBatchController.name);
  private readonly ingest: CaseRecordIngest;

  constructor(
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
    publisher: EventPublisher,
    private readonly adapterHost: HttpAdapterHost,
  ) {
    this.ingest = new CaseRecordIngest(
      publisher,
      new TopicNames(config.topicPrefix).of('ow.case-records.v1'),
      loadIngestConfig(),
    );
  }

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    for (const type of Object.keys(BULK_MEDIA_TYPES)) {
      if (!fastify.hasContentTypeParser(type))
        fastify.addContentTypeParser(type, (_request, payload, done) => done(null, payload));
    }
  }

  // find-my-way reads `:` as the start of a parameter; `::` is a literal colon.
  @Post('case-records::batch')
  @HttpCode(200)
  @Access({ scopes: ['case-records:write'], orgKinds: ['ow'] })
  async batch(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const format = bulkFormatOf(request.headers['content-type']);
    const encoding = request.headers['content-encoding'];
    if (format === undefined || !(request.body instanceof Readable)) {
      throw new UnsupportedMediaTypeException(
        `send the export as ${Object.keys(BULK_MEDIA_TYPES).join(' or ')} (UTF-8), not ${request.headers['content-type'] ?? 'without a content-type'}`,
      );
    }
    if (encoding !== undefined && encoding.toLowerCase() !== 'identity') {
      throw new UnsupportedMediaTypeException(
        `content-encoding ${encoding} is not supported: send the export uncompressed`,
      );
    }
    const body = request.body;
    const out = new PassThrough();
    void reply
      .status(200)
      .header('content-type', `${NDJSON_MEDIA_TYPE}; charset=utf-8`)
      .header('cache-control', 'no-store')
      .send(out);

    // A client that reads no results while it uploads must not stall the upload (it could never
    // finish): results are buffered up to RESPONSE_BUFFER_BYTES before the upload waits for it.
    const write = async (value: unknown): Promise<void> => {
      out.write(`${JSON.stringify(value)}\n`);
      if (out.writableLength > RESPONSE_BUFFER_BYTES && !out.destroyed) {
        await Promise.race([once(out, 'drain'), once(out, 'close')]);
      }
    };
    try {
      // A delivery agent syncs its own caseload only (its org is `ow:<delivery agent code>`).
      const summary = await this.ingest.run(body, format, write, principalOf(request).org.slice('ow:'.length));
      if (summary.failure !== undefined) this.logger.error(`bulk upload: ${summary.failure}`);
      out.end(`${JSON.stringify({ summary })}\n`);
    } catch (error) {
      // The upload broke off (client gone) or something unexpected: no summary line is written,
      // which tells the client the results are incomplete.
      this.logger.warn(`bulk upload interrupted: ${(error as Error).message}`);
      out.destroy(error as Error);
      body.destroy();
    }
  }
}

/** `text/csv; charset=utf-8` -> `csv`; undefined for any other media type or charset. */
export function bulkFormatOf(contentType: string | undefined): IngestFormat | undefined {
  if (contentType === undefined) return undefined;
  const [type, ...params] = contentType.split(';').map((part) => part.trim().toLowerCase());
  const format = BULK_MEDIA_TYPES[type];
  const charset = params
    .find((p) => p.startsWith('charset='))
    ?.slice('charset='.length)
    .replace(/"/g, '');
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') return undefined;
  return format;
}
