import type { components } from '@passerelle/contracts';
import type { OntarioBusinessCalendar } from '@passerelle/lifecycle';
import { MILESTONE_MEASURES, type ReferralFact } from './referral-facts';
import type { ReportRequest } from './report-params';

// openapi-typescript lists the schema's `$defs` as a member; the document has none.
export type OutcomeReport = Omit<components['schemas']['OutcomeReport'], '$defs'>;
export type ReportMeasures = components['schemas']['reportMeasures'];
export type ReportGroup = components['schemas']['reportGroup'];
type Cell = components['schemas']['reportCount'];

/** The ministry's small-cell rule: a figure about fewer clients than this is not published. */
export const MINIMUM_CELL_CLIENTS = 5;
export const SUPPRESSED = 'suppressed' as const;

/** Measures that count referrals, in the order of the schema (and of the CSV columns). */
export const COUNT_MEASURES = [
  'referralsMade',
  'routed',
  'accepted',
  'rejected',
  'inService',
  'completed',
  'employed',
  ...MILESTONE_MEASURES,
  'duplicateSupports',
] as const;
type CountMeasure = (typeof COUNT_MEASURES)[number];

/** A figure before publication: its value and the clients it concerns. */
class Tally {
  value = 0;
  readonly clients = new Set<string>();
  add(clientId: string, by = 1): void {
    this.value += by;
    this.clients.add(clientId);
  }
}

/** The tallies of one row (or of the total). */
class RowTally {
  readonly clients = new Set<string>();
  readonly counts = Object.fromEntries(COUNT_MEASURES.map((m) => [m, new Tally()])) as Record<CountMeasure, Tally>;
  /** By decline reason code; a reason outside the code table is not tallied. */
  readonly reasons: Partial<Record<string, Tally>>;
  readonly daysToAccept: number[] = [];
  readonly acceptedClients = new Set<string>();

  constructor(reasons: readonly string[]) {
    this.reasons = Object.fromEntries(reasons.map((r) => [r, new Tally()]));
  }

  /** `daysToAccept`: Ontario business days from routing to acceptance, when both happened. */
  add(fact: ReferralFact, daysToAccept: number | undefined): void {
    const count = (measure: CountMeasure, yes: boolean): void => {
      if (yes) this.counts[measure].add(fact.clientId);
    };
    this.clients.add(fact.clientId);
    count('referralsMade', true);
    count('routed', fact.routedAt !== null);
    count('accepted', fact.acceptedAt !== null);
    count('rejected', fact.rejected);
    count('inService', fact.inService);
    count('completed', fact.completed);
    count('employed', fact.employed);
    for (const m of MILESTONE_MEASURES) count(m, fact.milestones[m]);
    if (fact.duplicateSupports > 0) this.counts.duplicateSupports.add(fact.clientId, fact.duplicateSupports);
    if (fact.declineReason !== null) this.reasons[fact.declineReason]?.add(fact.clientId);
    if (daysToAccept !== undefined) {
      this.daysToAccept.push(daysToAccept);
      this.acceptedClients.add(fact.clientId);
    }
  }
}

/** One published figure, before and after suppression. */
interface CellState {
  value: number;
  suppressed: boolean;
  /**
   * Zero by the very definition of its row (nothing is accepted in the row of referrals never
   * routed): suppressed like any small figure, but public knowledge, so nothing to protect by
   * suppressing others.
   */
  structural?: boolean;
}

/** Dimensions whose unknown value (null) means the referral was never routed. */
const ROUTING_DIMENSIONS = ['catchment', 'providerType', 'region'] as const;
/** Measures that need a routed referral. */
const AFTER_ROUTING = new Set<CountMeasure>(['routed', 'accepted', 'rejected', 'inService', 'completed']);

/** Median of a non-empty list: the middle value, or the mean of the two middle ones. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Complementary suppression: each line is a set of figures that add up to its last one (a column
 * over the rows and the total; a row's decline reasons and its `rejected`). When exactly one
 * figure of a line is suppressed, it could be worked out from the others, so the smallest
 * published part is suppressed too (the total itself when no part is left); repeated until no
 * line gives one away, since a suppression can expose another line. Structural zeros (known
 * from the row itself) need no such protection.
 */
export function suppressComplements(lines: ReadonlyArray<{ parts: CellState[]; total: CellState }>): void {
  for (let changed = true; changed;) {
    changed = false;
    for (const { parts, total } of lines) {
      const suppressed = [...parts, total].filter((c) => c.suppressed && c.structural !== true).length;
      if (suppressed !== 1) continue;
      const candidates = parts.filter((c) => !c.suppressed).sort((a, b) => a.value - b.value);
      const next = candidates.at(0) ?? (total.suppressed ? undefined : total);
      if (next === undefined) continue;
      next.suppressed = true;
      changed = true;
    }
  }
}

const compareGroupValues = (a: string | null, b: string | null): number =>
  a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1;

/**
 * The report of `facts` (the referrals made in the requested period): one row per group of the
 * requested dimensions and the total, every figure concerning fewer than
 * {@link MINIMUM_CELL_CLIENTS} clients suppressed, then whatever would let a suppressed figure be
 * worked out from a line's total. Pure: the same facts always give the same report.
 */
export function buildOutcomeReport(
  facts: readonly ReferralFact[],
  request: ReportRequest,
  options: { calendar: OntarioBusinessCalendar; declineReasons: readonly string[]; generatedAt: Date },
): OutcomeReport {
  const { calendar, declineReasons } = options;
  const groups = new Map<string, { group: Record<string, string | null>; tally: RowTally }>();
  const total = new RowTally(declineReasons);
  for (const fact of facts) {
    const values = request.groupBy.map((d) => fact.group[d]);
    const key = JSON.stringify(values);
    let entry = groups.get(key);
    if (entry === undefined) {
      entry = {
        group: Object.fromEntries(request.groupBy.map((d, i) => [d, values[i]])),
        tally: new RowTally(declineReasons),
      };
      groups.set(key, entry);
    }
    // Computed once per referral: the calendar walks the days between.
    const days =
      fact.acceptedAt !== null && fact.routedAt !== null
        ? calendar.businessDaysBetween(fact.routedAt.toISOString(), fact.acceptedAt.toISOString())
        : undefined;
    entry.tally.add(fact, days);
    total.add(fact, days);
  }
  const ordered = [...groups.values()].sort((a, b) => {
    for (const d of request.groupBy) {
      const order = compareGroupValues(a.group[d], b.group[d]);
      if (order !== 0) return order;
    }
    return 0;
  });

  // Primary suppression: every figure about too few clients.
  const cell = (tally: Tally | undefined): CellState => ({
    value: tally?.value ?? 0,
    suppressed: (tally?.clients.size ?? 0) < MINIMUM_CELL_CLIENTS,
  });
  const stateOf = (tally: RowTally, neverRouted = false) => ({
    clients: { value: tally.clients.size, suppressed: tally.clients.size < MINIMUM_CELL_CLIENTS },
    counts: Object.fromEntries(
      COUNT_MEASURES.map((m) => [
        m,
        { ...cell(tally.counts[m]), ...(neverRouted && AFTER_ROUTING.has(m) && { structural: true }) },
      ]),
    ) as Record<CountMeasure, CellState>,
    reasons: Object.fromEntries(
      declineReasons.map((r) => [r, { ...cell(tally.reasons[r]), ...(neverRouted && { structural: true }) }]),
    ),
  });
  const rowStates = ordered.map((entry) =>
    stateOf(
      entry.tally,
      ROUTING_DIMENSIONS.some((d) => request.groupBy.includes(d) && entry.group[d] === null),
    ),
  );
  const totalState = stateOf(total);

  // Complementary suppression over every additive line. (`clients` is not additive over rows:
  // a client referred twice can sit in two groups.)
  const lines: Array<{ parts: CellState[]; total: CellState }> = [];
  for (const m of COUNT_MEASURES) lines.push({ parts: rowStates.map((r) => r.counts[m]), total: totalState.counts[m] });
  for (const r of declineReasons)
    lines.push({ parts: rowStates.map((s) => s.reasons[r]), total: totalState.reasons[r] });
  for (const state of [...rowStates, totalState])
    lines.push({ parts: declineReasons.map((r) => state.reasons[r]), total: state.counts.rejected });
  suppressComplements(lines);

  const publish = (state: CellState): Cell => (state.suppressed ? SUPPRESSED : state.value);
  const measuresOf = (tally: RowTally, state: ReturnType<typeof stateOf>): ReportMeasures => {
    const counts = Object.fromEntries(COUNT_MEASURES.map((m) => [m, publish(state.counts[m])])) as Record<
      CountMeasure,
      Cell
    >;
    return {
      clients: publish(state.clients),
      referralsMade: counts.referralsMade,
      routed: counts.routed,
      accepted: counts.accepted,
      rejected: counts.rejected,
      rejectedByReason: Object.fromEntries(declineReasons.map((r) => [r, publish(state.reasons[r])])),
      medianBusinessDaysToAccept:
        tally.acceptedClients.size < MINIMUM_CELL_CLIENTS ? SUPPRESSED : median(tally.daysToAccept),
      inService: counts.inService,
      completed: counts.completed,
      employed: counts.employed,
      employedAt1Month: counts.employedAt1Month,
      employedAt3Months: counts.employedAt3Months,
      employedAt6Months: counts.employedAt6Months,
      employedAt12Months: counts.employedAt12Months,
      retention: counts.retention,
      increasedEarnings: counts.increasedEarnings,
      exitsToEmployment: counts.exitsToEmployment,
      duplicateSupports: counts.duplicateSupports,
    };
  };

  return {
    period: { from: request.from, to: request.to, timeZone: 'America/Toronto' },
    groupBy: request.groupBy,
    minimumCellClients: MINIMUM_CELL_CLIENTS,
    generatedAt: options.generatedAt.toISOString(),
    rows: ordered.map((entry, i) => ({
      group: entry.group,
      measures: measuresOf(entry.tally, rowStates[i]),
    })),
    total: { measures: measuresOf(total, totalState) },
  };
}
