import { Controller, Module } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { BATCH_HANDLER, ContractEventPattern, type KafkaBatchContext } from '@passerelle/messaging';
import { DATABASE } from '@passerelle/runtime';
import {
  SourceRecordTranslator,
  sourceRecordTranslatorProvider,
  type TranslationOutcome,
} from '@passerelle/translation';
import { eoServiceRecordSource } from './eo-sources';

@Controller()
export class EoSourceRecordHandlers {
  constructor(private readonly translator: SourceRecordTranslator) {}

  @ContractEventPattern(eoServiceRecordSource.rawType, BATCH_HANDLER)
  serviceRecords(@Payload() _data: unknown[], @Ctx() context: KafkaBatchContext): Promise<TranslationOutcome[]> {
    return this.translator.translateBatch(eoServiceRecordSource, context.inbound);
  }
}

/**
 * Maps Employment Ontario (EOIS-CaMS) service records to canonical events. A raw record of any
 * other type is parked on the DLQ (NO_HANDLER).
 */
@Module({ controllers: [EoSourceRecordHandlers], providers: [sourceRecordTranslatorProvider(DATABASE)] })
export class EoAdapterModule {}
