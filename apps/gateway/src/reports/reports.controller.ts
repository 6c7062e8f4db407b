import { Controller, Get, Header, Headers, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Access } from '../auth/access';
import { GetOutcomeReport, type OutcomeReportAnswer } from './get-outcome-report';
import type { OutcomeReport } from './outcome-report';

/**
 * Comparable program data for the ministry, read from the referral tracker's ledger: counts,
 * rates and durations, never a person. Ministry organizations only.
 */
@Controller('reports')
export class ReportsController {
  constructor(private readonly getOutcomeReport: GetOutcomeReport) {}

  // Figures change as the ledger does: never served from a cache.
  @Get('outcomes')
  @Access({ scopes: ['reports:read'], orgKinds: ['ministry'] })
  @Header('cache-control', 'no-store')
  @Header('vary', 'accept')
  async outcomes(
    @Query() query: Record<string, unknown>,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<OutcomeReport | string> {
    return sendReport(reply, await this.getOutcomeReport.execute({ query, accept }));
  }
}

/** JSON goes out as Nest serializes it; CSV as a download with its own media type and file name. */
function sendReport(reply: FastifyReply, answer: OutcomeReportAnswer): OutcomeReport | string {
  if (answer.format === 'json') return answer.report;
  void reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${answer.fileName}"`);
  return answer.csv;
}
