import { Injectable } from '@nestjs/common';
import { codeTable } from '@passerelle/codes';
import { OntarioBusinessCalendar, torontoDate } from '@passerelle/lifecycle';
import { problem } from '../problem/problem';
import { buildOutcomeReport, type OutcomeReport } from './outcome-report';
import { ReferralFacts } from './referral-facts';
import { outcomeReportCsv } from './report-csv';
import { negotiateFormat, parseReportRequest, type ReportFormat, type ReportRequest } from './report-params';
import { ReportError } from './report.error';

/** What `GET /v1/reports/outcomes` was asked: its query string and `Accept` header. */
export interface OutcomeReportQuery {
  query: Record<string, unknown>;
  accept: string | undefined;
}

/** The report in the format asked for; CSV comes with the file name it is downloaded under. */
export type OutcomeReportAnswer =
  { format: 'json'; report: OutcomeReport } | { format: 'csv'; csv: string; fileName: string };

/** The ministry's outcome report over a period, grouped as asked, small cells suppressed. */
@Injectable()
export class GetOutcomeReport {
  private readonly calendar = OntarioBusinessCalendar.load();
  private readonly declineReasons = codeTable('decline-reasons').codes;

  constructor(private readonly facts: ReferralFacts) {}

  async execute({ query, accept }: OutcomeReportQuery): Promise<OutcomeReportAnswer> {
    const { format, request } = parse(query, accept);
    const report = buildOutcomeReport(await this.facts.madeBetween(request.from, request.to), request, {
      calendar: this.calendar,
      declineReasons: this.declineReasons,
      generatedAt: new Date(),
    });
    if (format === 'json') return { format, report };
    return { format, csv: outcomeReportCsv(report, this.declineReasons), fileName: csvFileName(request) };
  }
}

/** The format first, then the period and grouping: a request wrong in both hears of the format. */
function parse(
  query: Record<string, unknown>,
  accept: string | undefined,
): { format: ReportFormat; request: ReportRequest } {
  try {
    const format = negotiateFormat(query.format, accept);
    return { format, request: parseReportRequest(query, torontoDate()) };
  } catch (error) {
    if (!(error instanceof ReportError)) throw error;
    throw problem(error.status, error.message, { errors: error.errors, code: error.code });
  }
}

function csvFileName(request: ReportRequest): string {
  const grouping = request.groupBy.length > 0 ? `_by_${request.groupBy.join('-')}` : '';
  return `outcomes_${request.from}_${request.to}${grouping}.csv`;
}
