import { Controller, HttpCode, Post, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { Readable } from 'node:stream';
import type { Principal } from '@passerelle/auth';
import { Access } from '../auth/access';
import { Caller } from '../auth/caller.decorator';
import { BulkUploadBody, NDJSON_MEDIA_TYPE, type BulkUpload } from './bulk-upload';
import { SyncOdspEmploymentRecords, SyncOwCaseRecords } from './sync-source-records';

/**
 * `POST /v1/ow/case-records:batch`: bulk sync of a delivery agent's export. The request body is
 * never buffered, and results are streamed back as NDJSON while the upload goes on.
 */
@Controller('ow')
export class OwCaseRecordsBatchController {
  constructor(private readonly syncRecords: SyncOwCaseRecords) {}

  // find-my-way reads `:` as the start of a parameter; `::` is a literal colon.
  @Post('case-records::batch')
  @HttpCode(200)
  @Access({ scopes: ['case-records:write'], orgKinds: ['ow'] })
  batch(@Caller() caller: Principal, @BulkUploadBody() upload: BulkUpload, @Res() reply: FastifyReply): void {
    sendResults(reply, this.syncRecords.execute(caller.org, upload));
  }
}

/** `POST /v1/odsp/employment-records:batch`: bulk sync of an ODSP office's export, as the OW one. */
@Controller('odsp')
export class OdspEmploymentRecordsBatchController {
  constructor(private readonly syncRecords: SyncOdspEmploymentRecords) {}

  @Post('employment-records::batch')
  @HttpCode(200)
  @Access({ scopes: ['case-records:write'], orgKinds: ['odsp'] })
  batch(@Caller() caller: Principal, @BulkUploadBody() upload: BulkUpload, @Res() reply: FastifyReply): void {
    sendResults(reply, this.syncRecords.execute(caller.org, upload));
  }
}

function sendResults(reply: FastifyReply, results: Readable): void {
  void reply
    .status(200)
    .header('content-type', `${NDJSON_MEDIA_TYPE}; charset=utf-8`)
    .header('cache-control', 'no-store')
    .send(results);
}
