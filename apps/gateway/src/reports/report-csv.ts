import { COUNT_MEASURES, type OutcomeReport, type ReportMeasures } from './outcome-report';

/** RFC 4180 field: quoted when it holds a comma, a quote or a line break. */
function field(value: string | number | null | undefined): string {
  const text = value === null || value === undefined ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * The report as CSV (RFC 4180, CRLF line ends): a header, one line per group, then the total.
 * Columns: `level` (`group` or `total`), the grouping dimensions, `clients`, every count,
 * `rejectedByReason.<code>` per decline reason, `medianBusinessDaysToAccept`. Suppressed
 * figures read `suppressed`, as in JSON; an unknown group value is an empty field.
 */
export function outcomeReportCsv(report: OutcomeReport, declineReasons: readonly string[]): string {
  const measureColumns = [
    'clients',
    ...COUNT_MEASURES,
    ...declineReasons.map((r) => `rejectedByReason.${r}`),
    'medianBusinessDaysToAccept',
  ];
  const values = (m: ReportMeasures): Array<string | number> => [
    m.clients,
    ...COUNT_MEASURES.map((c) => m[c]),
    ...declineReasons.map((r) => m.rejectedByReason[r] ?? ''),
    m.medianBusinessDaysToAccept,
  ];
  const lines = [['level', ...report.groupBy, ...measureColumns].map(field).join(',')];
  for (const row of report.rows) {
    const group = row.group as Record<string, string | null | undefined>;
    lines.push(['group', ...report.groupBy.map((d) => group[d]), ...values(row.measures)].map(field).join(','));
  }
  lines.push(['total', ...report.groupBy.map(() => ''), ...values(report.total.measures)].map(field).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
