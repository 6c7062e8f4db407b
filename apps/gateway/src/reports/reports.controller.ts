import { Controller, Get, Headers, Inject, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { codeTable } from '@passerelle/codes';
import { OntarioBusinessCalendar, torontoDate } from '@passerelle/lifecycle';
import type { DatabaseHandle } from '@passerelle/persistence';
import { Access } from '../auth/access';
import { problem } from '../problem/problem';
import { DATABASE } from '../tokens';
import { buildOutcomeReport, type OutcomeReport } from './outcome-report';
import { readReferralFacts } from './referral-facts';
import { outcomeReportCsv } from './report-csv';
import { negotiateFormat, parseReportRequest } from './report-params';
import { ReportError } from './report.error';

/**
 * Comparable program data for the ministry, read from the referral tracker's ledger: counts,
 * rates and durations, never a person. Ministry organizations only.
 */
@Controller('reports')
export class ReportsController {
  private readonly calendar = OntarioBusinessCalendar.load();
  private readonly declineReasons = codeTable('decline-reasons').codes;

  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  @Get('outcomes')
  @Access({ scopes: ['reports:read'], orgKinds: ['ministry'] })
  async outcomes(
    @Query() query: Record<string, unknown>,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<OutcomeReport | string> {
    let format;
    let request;
    try {
      format = negotiateFormat(query.format, accept);
      request = parseReportRequest(query, torontoDate());
    } catch (error) {
      if (!(error instanceof ReportError)) throw error;
      throw problem(error.status, error.message, { errors: error.errors, code: error.code });
    }
    const facts = await readReferralFacts(this.database.db, request.from, request.to);
    const report = buildOutcomeReport(facts, request, {
      calendar: this.calendar,
      declineReasons: this.declineReasons,
      generatedAt: new Date(),
    });
    // Figures change as the ledger does: never served from a cache.
    void reply.header('cache-control', 'no-store').header('vary', 'accept');
    if (format === 'json') return report;
    const name = `outcomes_${request.from}_${request.to}${request.groupBy.length > 0 ? `_by_${request.groupBy.join('-')}` : ''}.csv`;
    void reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}"`);
    return outcomeReportCsv(report, this.declineReasons);
  }
}
