import { Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { TopicNames } from '@passerelle/messaging';
import { SealingRecordSink } from './raw-record-sealer';
import { acceptBulkUploads } from './bulk-upload';
import { OdspEmploymentRecordsBatchController, OwCaseRecordsBatchController } from './records-batch.controller';
import { loadIngestConfig } from './ingest.config';
import { ODSP_EMPLOYMENT_RECORDS, OW_CASE_RECORDS, type SourceDefinition } from './source-definition';
import { SourceRecordIngest } from './source-record-ingest';
import { SyncOdspEmploymentRecords, SyncOwCaseRecords, type SyncSourceRecords } from './sync-source-records';

/** The bulk sync of one source, on the source's raw topic. */
function syncOf(Sync: new (ingest: SourceRecordIngest) => SyncSourceRecords, source: SourceDefinition) {
  return {
    provide: Sync,
    // Records go to the raw topic with their personal data sealed (SealingRecordSink).
    useFactory: (sink: SealingRecordSink, topics: TopicNames) =>
      new Sync(new SourceRecordIngest(source, sink, topics.of(source.topic), loadIngestConfig())),
    inject: [SealingRecordSink, TopicNames],
  };
}

/**
 * Bulk sync of referrers' exports: `POST /v1/ow/case-records:batch` to `ow.case-records.v1`,
 * `POST /v1/odsp/employment-records:batch` to `odsp.employment-records.v1`.
 */
@Module({
  controllers: [OwCaseRecordsBatchController, OdspEmploymentRecordsBatchController],
  providers: [syncOf(SyncOwCaseRecords, OW_CASE_RECORDS), syncOf(SyncOdspEmploymentRecords, ODSP_EMPLOYMENT_RECORDS)],
})
export class IngestModule implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    acceptBulkUploads(this.adapterHost.httpAdapter.getInstance<FastifyInstance>());
  }
}
