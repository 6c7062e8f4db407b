import { codeTable } from '@passerelle/codes';
import { schemaIdForPath, schemaRegistry } from '@passerelle/contracts';
import { OntarioBusinessCalendar } from '@passerelle/lifecycle';
import {
  MINIMUM_CELL_CLIENTS,
  buildOutcomeReport,
  median,
  suppressComplements,
  type OutcomeReport,
} from './outcome-report';
import { MILESTONE_MEASURES, type ReferralFact } from './referral-facts';
import { outcomeReportCsv } from './report-csv';
import type { ReportRequest } from './report-params';

const calendar = OntarioBusinessCalendar.load();
const declineReasons = codeTable('decline-reasons').codes;
const generatedAt = new Date('2026-01-05T14:00:00Z');
const period = { from: '2025-01-01', to: '2025-12-31' };

let next = 0;
/** A referral fact: routed, nothing else, unless `overrides` say so. */
function fact(
  overrides: Partial<ReferralFact> & { client?: string; program?: string; region?: string | null } = {},
): ReferralFact {
  next += 1;
  const { client, program, region, ...rest } = overrides;
  return {
    clientId: client ?? `client-${next}`,
    group: {
      program: program ?? 'OW',
      deliveryAgent: 'ow:toronto',
      catchment: 'M9V',
      providerType: 'direct',
      stream: null,
      region: region === undefined ? 'toronto' : region,
      month: '2025-03',
    },
    routedAt: new Date('2025-03-03T15:00:00Z'),
    acceptedAt: null,
    rejected: false,
    declineReason: null,
    inService: false,
    completed: false,
    employed: false,
    milestones: Object.fromEntries(MILESTONE_MEASURES.map((m) => [m, false])) as ReferralFact['milestones'],
    duplicateSupports: 0,
    ...rest,
  };
}
const many = (n: number, make: () => ReferralFact): ReferralFact[] => Array.from({ length: n }, make);
const build = (facts: ReferralFact[], groupBy: ReportRequest['groupBy'] = []): OutcomeReport =>
  buildOutcomeReport(facts, { ...period, groupBy }, { calendar, declineReasons, generatedAt });
const valid = (report: OutcomeReport) => schemaRegistry().validate(schemaIdForPath('api/outcome-report.json'), report);

describe('buildOutcomeReport', () => {
  it('counts referrals per group and in total, and the report matches its schema', () => {
    const facts = [
      ...many(6, () => fact({ program: 'OW', acceptedAt: new Date('2025-03-04T15:00:00Z'), inService: true })),
      ...many(5, () => fact({ program: 'OW', rejected: true, declineReason: 'no-capacity' })),
      ...many(7, () => fact({ program: 'ODSP', rejected: true, declineReason: 'no-capacity' })),
      ...many(5, () =>
        fact({
          program: 'ODSP',
          acceptedAt: new Date('2025-03-05T15:00:00Z'),
          employed: true,
          milestones: { ...fact().milestones, employedAt3Months: true },
        }),
      ),
    ];
    const report = build(facts, ['program']);
    expect(valid(report)).toMatchObject({ ok: true });
    expect(report.rows.map((r) => r.group)).toEqual([{ program: 'ODSP' }, { program: 'OW' }]);
    const [odsp, ow] = report.rows.map((r) => r.measures);
    expect(odsp).toMatchObject({
      clients: 12,
      referralsMade: 12,
      routed: 12,
      accepted: 5,
      rejected: 7,
      medianBusinessDaysToAccept: 2,
    });
    expect(odsp.rejectedByReason['no-capacity']).toBe(7);
    expect(ow).toMatchObject({
      clients: 11,
      referralsMade: 11,
      accepted: 6,
      rejected: 5,
      inService: 'suppressed',
      medianBusinessDaysToAccept: 1,
    });
    expect(ow.rejectedByReason['no-capacity']).toBe(5);
    expect(report.total.measures.rejectedByReason).toMatchObject({ 'no-capacity': 12, 'not-eligible': 'suppressed' });
    expect(report.total.measures).toMatchObject({
      clients: 23,
      referralsMade: 23,
      accepted: 11,
      rejected: 12,
      inService: 6,
      employed: 5,
      employedAt3Months: 5,
    });
    // OW's zero job starts are suppressed, and the total would give them away: ODSP's 5 go too.
    expect(odsp).toMatchObject({ employed: 'suppressed', employedAt3Months: 'suppressed', inService: 'suppressed' });
    expect(report).toMatchObject({
      period: { ...period, timeZone: 'America/Toronto' },
      groupBy: ['program'],
      minimumCellClients: 5,
      generatedAt: generatedAt.toISOString(),
    });
  });

  it('suppresses a figure about fewer than 5 clients, a zero included, and never shows it as 0', () => {
    const report = build([...many(4, () => fact({ completed: true })), ...many(3, () => fact())]);
    const m = report.total.measures;
    expect(m.referralsMade).toBe(7);
    expect(m.completed).toBe('suppressed'); // 4 clients
    expect(m.accepted).toBe('suppressed'); // 0 clients
    expect(m.medianBusinessDaysToAccept).toBe('suppressed');
    expect(Object.values(m.rejectedByReason).every((v) => v === 'suppressed')).toBe(true);
    expect(JSON.stringify(report)).not.toMatch(/"(accepted|completed)":0/);
  });

  it('counts clients, not referrals, against the threshold: 8 referrals of 4 clients are suppressed', () => {
    const clients = ['a', 'b', 'c', 'd'];
    const report = build(clients.flatMap((client) => [fact({ client }), fact({ client })]));
    expect(report.total.measures.referralsMade).toBe('suppressed');
    expect(report.total.measures.clients).toBe('suppressed');
    const five = build([...clients, 'e'].flatMap((client) => [fact({ client }), fact({ client })]));
    expect(five.total.measures).toMatchObject({ referralsMade: 10, clients: 5 });
  });

  it('suppresses a second figure of a column when the total would give a single suppressed one away', () => {
    // Regions: toronto 9 accepted, northern 6 accepted, eastern 2 accepted (suppressed). Total 17
    // published: eastern = 17 - 9 - 6 unless another one goes too: the smallest, northern.
    const accepted = { acceptedAt: new Date('2025-03-04T15:00:00Z') };
    const facts = [
      ...many(9, () => fact({ region: 'toronto', ...accepted })),
      ...many(6, () => fact({ region: 'northern', ...accepted })),
      ...many(2, () => fact({ region: 'eastern', ...accepted })),
      ...many(5, () => fact({ region: 'eastern' })),
    ];
    const report = build(facts, ['region']);
    const accepted_ = Object.fromEntries(report.rows.map((r) => [r.group.region, r.measures.accepted]));
    expect(accepted_).toEqual({ eastern: 'suppressed', northern: 'suppressed', toronto: 9 });
    expect(report.total.measures.accepted).toBe(17);
    // The referrals made are all published: nothing to hide there.
    expect(report.rows.map((r) => r.measures.referralsMade)).toEqual([7, 6, 9]);
  });

  it('suppresses a second decline reason when the row total would give a single suppressed one away', () => {
    const facts = [
      ...many(8, () => fact({ rejected: true, declineReason: 'no-capacity' })),
      ...many(6, () => fact({ rejected: true, declineReason: 'not-eligible' })),
      ...many(2, () => fact({ rejected: true, declineReason: 'client-declined' })),
    ];
    const reasons = build(facts).total.measures.rejectedByReason;
    // Every other reason is a suppressed zero, so more than one is suppressed already: the
    // line needs nothing more (sum of the suppressed ones is 2, which alone gives no one away).
    expect(reasons['no-capacity']).toBe(8);
    expect(reasons['not-eligible']).toBe(6);
    expect(reasons['client-declined']).toBe('suppressed');
  });

  it('does not suppress others to protect the zeros of referrals never routed: those are known from the row itself', () => {
    const accepted = { acceptedAt: new Date('2025-03-04T15:00:00Z') };
    const facts = [
      ...many(6, () => fact({ region: null, routedAt: null })),
      ...many(9, () => fact({ region: 'toronto', ...accepted })),
      ...many(7, () => fact({ region: 'eastern', ...accepted })),
    ];
    const rows = build(facts, ['region']).rows;
    expect(rows.map((r) => [r.group.region, r.measures.routed, r.measures.accepted])).toEqual([
      ['eastern', 7, 7],
      ['toronto', 9, 9],
      [null, 'suppressed', 'suppressed'],
    ]);
    // Grouped by program instead, the same referrals' zeros are not structural: nothing changes for
    // rows that hold both, and a secret zero still costs its complement.
    const byProgram = build(
      [
        ...many(6, () => fact({ program: 'EO', routedAt: null })),
        ...many(9, () => fact({ program: 'OW', ...accepted })),
        ...many(7, () => fact({ program: 'ODSP', ...accepted })),
      ],
      ['program'],
    );
    expect(byProgram.rows.map((r) => r.measures.accepted)).toEqual(['suppressed', 'suppressed', 9]);
  });

  it('puts unknown group values last and sorts the rest', () => {
    const facts = [
      ...many(5, () => fact({ region: null })),
      ...many(5, () => fact({ region: 'toronto' })),
      ...many(5, () => fact({ region: 'eastern' })),
    ];
    expect(build(facts, ['region']).rows.map((r) => r.group.region)).toEqual(['eastern', 'toronto', null]);
  });

  it('gives the median of Ontario business days from routing to acceptance, holidays excluded', () => {
    // Routed Wednesday 2025-12-24 (Toronto). Christmas and Boxing Day are holidays.
    const routedAt = new Date('2025-12-24T15:00:00Z');
    const at = (iso: string) => fact({ routedAt, acceptedAt: new Date(iso) });
    const facts = [
      at('2025-12-24T20:00:00Z'), // same day: 0
      at('2025-12-29T15:00:00Z'), // Monday 29: 1
      at('2025-12-30T15:00:00Z'), // 2
      at('2025-12-31T15:00:00Z'), // 3
      at('2026-01-02T15:00:00Z'), // New Year's Day off: 4
      at('2026-01-05T15:00:00Z'), // 5
    ];
    expect(build(facts).total.measures.medianBusinessDaysToAccept).toBe(2.5);
    expect(build(facts.slice(0, 5)).total.measures.medianBusinessDaysToAccept).toBe(2);
  });

  it('adds up duplicate supports (pairs) and counts them by client', () => {
    const facts = [
      ...many(4, () => fact({ duplicateSupports: 2 })),
      fact({ duplicateSupports: 1 }),
      ...many(3, () => fact()),
    ];
    expect(build(facts).total.measures.duplicateSupports).toBe(9);
    expect(build(facts.slice(1)).total.measures.duplicateSupports).toBe('suppressed');
  });

  it('gives no rows and a suppressed total for a period without referrals', () => {
    const report = build([], ['program']);
    expect(report.rows).toEqual([]);
    expect(report.total.measures.referralsMade).toBe('suppressed');
    expect(valid(report)).toMatchObject({ ok: true });
  });
});

describe('suppressComplements', () => {
  const c = (value: number, suppressed = false) => ({ value, suppressed });

  it('leaves lines with no or several suppressed figures alone', () => {
    const none = { parts: [c(7), c(9)], total: c(16) };
    const two = { parts: [c(1, true), c(2, true), c(9)], total: c(12) };
    suppressComplements([none, two]);
    expect([...none.parts, none.total].some((x) => x.suppressed)).toBe(false);
    expect(two.parts[2].suppressed).toBe(false);
  });

  it('suppresses a part when only the total is suppressed, and follows the chain into other lines', () => {
    const a = { parts: [c(6), c(8)], total: c(14, true) };
    const shared = a.parts[0];
    const b = { parts: [shared, c(20), c(30)], total: c(56) };
    suppressComplements([a, b]);
    expect(shared.suppressed).toBe(true); // smallest part of a
    expect(b.parts[1].suppressed).toBe(true); // b then had exactly one: its next smallest goes too
    expect(b.parts[2].suppressed).toBe(false);
  });
});

describe('median', () => {
  it('is the middle value, or the mean of the two middle ones', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
  });
});

describe('outcomeReportCsv', () => {
  it('writes a header, a line per group and the total, with suppressed figures as such', () => {
    const facts = [
      ...many(6, () => fact({ program: 'OW' })),
      ...many(2, () => fact({ program: 'ODSP', region: null })),
    ];
    const csv = outcomeReportCsv(build(facts, ['program', 'region']), declineReasons);
    const lines = csv.split('\r\n');
    expect(lines.at(-1)).toBe('');
    const header = lines[0].split(',');
    expect(header.slice(0, 6)).toEqual(['level', 'program', 'region', 'clients', 'referralsMade', 'routed']);
    expect(header).toContain('rejectedByReason.no-capacity');
    expect(header.at(-1)).toBe('medianBusinessDaysToAccept');
    const [odsp, ow, total] = lines.slice(1, 4).map((l) => l.split(','));
    expect(odsp.slice(0, 5)).toEqual(['group', 'ODSP', '', 'suppressed', 'suppressed']);
    // ODSP's 2 referrals are suppressed and the total would give them away: OW's 6 go too.
    expect(ow.slice(0, 5)).toEqual(['group', 'OW', 'toronto', '6', 'suppressed']);
    expect(total.slice(0, 5)).toEqual(['total', '', '', '8', '8']);
    expect(lines).toHaveLength(5);
    expect(new Set(lines.slice(0, 4).map((l) => l.split(',').length)).size).toBe(1);
  });

  it('quotes fields holding a comma or a quote', () => {
    const report = build(
      many(5, () => fact({ program: 'O,"W"' })),
      ['program'],
    );
    expect(outcomeReportCsv(report, declineReasons).split('\r\n')[1].startsWith('group,"O,""W""",5,')).toBe(true);
  });
});

it('uses the ministry threshold of 5 clients', () => {
  expect(MINIMUM_CELL_CLIENTS).toBe(5);
});
