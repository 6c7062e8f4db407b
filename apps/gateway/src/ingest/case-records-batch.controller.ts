import { Controller, HttpCode, Post, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { Readable } from 'node:stream';
import type { Principal } from '@passerelle/auth';
import { Access } from '../auth/access';
import { Caller } from '../auth/caller.decorator';
import { BulkUploadBody, NDJSON_MEDIA_TYPE, type BulkUpload } from './bulk-upload';
import { SyncCaseRecords } from './sync-case-records';

/**
 * `POST /v1/ow/case-records:batch`: bulk sync of a delivery agent's export. The request body is
 * never buffered, and results are streamed back as NDJSON while the upload goes on.
 */
@Controller('ow')
export class CaseRecordsBatchController {
  constructor(private readonly syncCaseRecords: SyncCaseRecords) {}

  // find-my-way reads `:` as the start of a parameter; `::` is a literal colon.
  @Post('case-records::batch')
  @HttpCode(200)
  @Access({ scopes: ['case-records:write'], orgKinds: ['ow'] })
  batch(@Caller() caller: Principal, @BulkUploadBody() upload: BulkUpload, @Res() reply: FastifyReply): void {
    sendResults(reply, this.syncCaseRecords.execute(caller.org, upload));
  }
}

function sendResults(reply: FastifyReply, results: Readable): void {
  void reply
    .status(200)
    .header('content-type', `${NDJSON_MEDIA_TYPE}; charset=utf-8`)
    .header('cache-control', 'no-store')
    .send(results);
}
