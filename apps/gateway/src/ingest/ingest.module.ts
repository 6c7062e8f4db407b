import { Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { EventPublisher, TopicNames } from '@passerelle/messaging';
import { acceptBulkUploads } from './bulk-upload';
import { CaseRecordIngest } from './case-record-ingest';
import { CaseRecordsBatchController } from './case-records-batch.controller';
import { loadIngestConfig } from './ingest.config';
import { SyncCaseRecords } from './sync-case-records';

/** `POST /v1/ow/case-records:batch`: bulk sync of OW exports to `ow.case-records.v1`. */
@Module({
  controllers: [CaseRecordsBatchController],
  providers: [
    {
      provide: CaseRecordIngest,
      useFactory: (publisher: EventPublisher, topics: TopicNames) =>
        new CaseRecordIngest(publisher, topics.of('ow.case-records.v1'), loadIngestConfig()),
      inject: [EventPublisher, TopicNames],
    },
    SyncCaseRecords,
  ],
})
export class IngestModule implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    acceptBulkUploads(this.adapterHost.httpAdapter.getInstance<FastifyInstance>());
  }
}
