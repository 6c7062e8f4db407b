import { Controller, Module } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import type { OdspEmploymentRecord, OwCaseRecord } from '@passerelle/contracts';
import { BATCH_HANDLER, ContractEventPattern, type KafkaBatchContext } from '@passerelle/messaging';
import { DATABASE } from '@passerelle/runtime';
import {
  SourceRecordTranslator,
  TranslationError,
  sourceRecordTranslatorProvider,
  type TranslationOutcome,
} from '@passerelle/translation';
import type { InboundEvent } from '@passerelle/messaging';
import { odspEmploymentRecordView, owCaseRecordView } from './mapping';
import { odspEmploymentRecordSource, owCaseRecordSource } from './ow-sources';
import { ReferralRefusals, referralRefusalsProvider, type RefusableSource } from './refusal/referral-refusals';

const OW_CASE_RECORDS: RefusableSource<OwCaseRecord> = { definition: owCaseRecordSource, view: owCaseRecordView };
const ODSP_EMPLOYMENT_RECORDS: RefusableSource<OdspEmploymentRecord> = {
  definition: odspEmploymentRecordSource,
  view: odspEmploymentRecordView,
};

@Controller()
export class OwSourceRecordHandlers {
  constructor(
    private readonly translator: SourceRecordTranslator,
    private readonly refusals: ReferralRefusals,
  ) {}

  @ContractEventPattern(owCaseRecordSource.rawType, BATCH_HANDLER)
  caseRecords(@Payload() _data: unknown[], @Ctx() context: KafkaBatchContext): Promise<TranslationOutcome[]> {
    return this.translate(OW_CASE_RECORDS, context.inbound);
  }

  @ContractEventPattern(odspEmploymentRecordSource.rawType, BATCH_HANDLER)
  employmentRecords(@Payload() _data: unknown[], @Ctx() context: KafkaBatchContext): Promise<TranslationOutcome[]> {
    return this.translate(ODSP_EMPLOYMENT_RECORDS, context.inbound);
  }

  /**
   * Translates; a record refused for good (a TranslationError) still goes to the DLQ (rethrown),
   * but first its referrer is told if it carried a referral (`referral.refused`). A refused batch
   * is retried record by record by the runner, so only a batch of one is the refused record.
   */
  private async translate<R>(source: RefusableSource<R>, inbounds: InboundEvent[]): Promise<TranslationOutcome[]> {
    try {
      return await this.translator.translateBatch(source.definition, inbounds);
    } catch (error) {
      if (inbounds.length === 1 && error instanceof TranslationError)
        await this.refusals.report(source, inbounds[0], error);
      throw error;
    }
  }
}

/**
 * Maps Ontario Works (SAMS) case records and ODSP employment-supports records to canonical
 * events. A raw record of any other type is parked on its topic's DLQ (NO_HANDLER); a refused
 * record carrying a referral is dead-lettered too, and its referrer told (./refusal).
 */
@Module({
  controllers: [OwSourceRecordHandlers],
  providers: [sourceRecordTranslatorProvider(DATABASE), referralRefusalsProvider(DATABASE)],
})
export class OwAdapterModule {}
