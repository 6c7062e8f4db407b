import { Controller, Module } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { KafkaEventContext } from '@passerelle/messaging';
import { DATABASE } from '@passerelle/runtime';
import { SourceRecordTranslator, sourceRecordTranslatorProvider, type TranslationOutcome } from '@passerelle/translation';
import { odspEmploymentRecordSource, owCaseRecordSource } from './ow-sources';

@Controller()
export class OwSourceRecordHandlers {
  constructor(private readonly translator: SourceRecordTranslator) {}

  @EventPattern<string>(owCaseRecordSource.rawType)
  caseRecord(@Payload() _data: unknown, @Ctx() context: KafkaEventContext): Promise<TranslationOutcome> {
    return this.translator.translate(owCaseRecordSource, context.inbound);
  }

  @EventPattern<string>(odspEmploymentRecordSource.rawType)
  employmentRecord(@Payload() _data: unknown, @Ctx() context: KafkaEventContext): Promise<TranslationOutcome> {
    return this.translator.translate(odspEmploymentRecordSource, context.inbound);
  }
}

/**
 * Maps Ontario Works (SAMS) case records and ODSP employment-supports records to canonical
 * events. A raw record of any other type is parked on its topic's DLQ (NO_HANDLER).
 */
@Module({ controllers: [OwSourceRecordHandlers], providers: [sourceRecordTranslatorProvider(DATABASE)] })
export class OwAdapterModule {}
