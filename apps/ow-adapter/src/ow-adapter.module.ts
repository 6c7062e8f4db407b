import { Controller, Module } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { BATCH_HANDLER, ContractEventPattern, type KafkaBatchContext } from '@passerelle/messaging';
import { DATABASE } from '@passerelle/runtime';
import {
  SourceRecordTranslator,
  sourceRecordTranslatorProvider,
  type TranslationOutcome,
} from '@passerelle/translation';
import { odspEmploymentRecordSource, owCaseRecordSource } from './ow-sources';

@Controller()
export class OwSourceRecordHandlers {
  constructor(private readonly translator: SourceRecordTranslator) {}

  @ContractEventPattern(owCaseRecordSource.rawType, BATCH_HANDLER)
  caseRecords(@Payload() _data: unknown[], @Ctx() context: KafkaBatchContext): Promise<TranslationOutcome[]> {
    return this.translator.translateBatch(owCaseRecordSource, context.inbound);
  }

  @ContractEventPattern(odspEmploymentRecordSource.rawType, BATCH_HANDLER)
  employmentRecords(@Payload() _data: unknown[], @Ctx() context: KafkaBatchContext): Promise<TranslationOutcome[]> {
    return this.translator.translateBatch(odspEmploymentRecordSource, context.inbound);
  }
}

/**
 * Maps Ontario Works (SAMS) case records and ODSP employment-supports records to canonical
 * events. A raw record of any other type is parked on its topic's DLQ (NO_HANDLER).
 */
@Module({ controllers: [OwSourceRecordHandlers], providers: [sourceRecordTranslatorProvider(DATABASE)] })
export class OwAdapterModule {}
