import { createParamDecorator, UnsupportedMediaTypeException, type ExecutionContext } from '@nestjs/common';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import type { IngestFormat } from './source-record-ingest';

/** Media types of a bulk upload, and the format each one carries. */
export const BULK_MEDIA_TYPES: Readonly<Record<string, IngestFormat>> = {
  'application/x-ndjson': 'ndjson',
  'text/csv': 'csv',
};

export const NDJSON_MEDIA_TYPE = 'application/x-ndjson';

/** An upload as the handler reads it: never buffered, a stream of the request's bytes. */
export interface BulkUpload {
  format: IngestFormat;
  body: Readable;
}

/**
 * Makes Fastify hand the raw request stream of a bulk upload over instead of buffering it (so
 * its body limit does not apply to these media types; memory is bounded by the longest line
 * allowed instead).
 */
export function acceptBulkUploads(fastify: FastifyInstance): void {
  for (const type of Object.keys(BULK_MEDIA_TYPES)) {
    if (!fastify.hasContentTypeParser(type))
      fastify.addContentTypeParser(type, (_request, payload, done) => {
        done(null, payload);
      });
  }
}

/** `text/csv; charset=utf-8` -> `csv`; undefined for any other media type or charset. */
export function bulkFormatOf(contentType: string | undefined): IngestFormat | undefined {
  if (contentType === undefined) return undefined;
  const [type, ...params] = contentType.split(';').map((part) => part.trim().toLowerCase());
  const format = Object.hasOwn(BULK_MEDIA_TYPES, type) ? BULK_MEDIA_TYPES[type] : undefined;
  const charset = params
    .find((p) => p.startsWith('charset='))
    ?.slice('charset='.length)
    .replace(/"/g, '');
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') return undefined;
  return format;
}

/** The request's upload, or `415` for any other media type, charset or a compressed body. */
export const BulkUploadBody = createParamDecorator((_data: unknown, context: ExecutionContext): BulkUpload => {
  const request = context.switchToHttp().getRequest<FastifyRequest>();
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
  return { format, body: request.body };
});
