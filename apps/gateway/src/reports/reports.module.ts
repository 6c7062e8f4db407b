import { Module } from '@nestjs/common';
import { GetOutcomeReport } from './get-outcome-report';
import { ReferralFacts } from './referral-facts';
import { ReportsController } from './reports.controller';

/** `GET /v1/reports/outcomes`: the ministry's outcome report, read from the tracker's ledger. */
@Module({
  controllers: [ReportsController],
  providers: [GetOutcomeReport, ReferralFacts],
})
export class ReportsModule {}
