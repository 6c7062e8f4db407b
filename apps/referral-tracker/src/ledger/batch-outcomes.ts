import type { OutcomeMilestone } from '@passerelle/contracts';
import type { LedgerChanges, OutcomeWrite, SpellWrite } from './ledger-changes';
import { compareIds, inScope, microsOf, uuidKey, type LoadedScope } from './ledger-keys';
import type { DateColumnReader, LoadedOutcome, LoadedSpell, SupportRow } from './ledger-rows';

interface SpellState extends LoadedSpell {
  /** Set when this batch saved the job (its row is then written). */
  eventTime: string | null;
}

interface OutcomeState {
  clientId: string;
  outcomeType: string;
  employmentSpellId: string;
  eventTimeUs: number;
  write?: OutcomeWrite;
}

export interface SpellReport {
  employmentSpellId: string;
  clientId: string;
  referralId?: string;
  reportedBy: string;
  startDate: string;
  eventTime: string;
}

/**
 * A batch's jobs, outcome milestones and supports issued, with the "latest by event time" rules
 * of their upserts, for {@link LedgerBatch}.
 */
export class BatchOutcomes {
  private readonly spells = new Map<string, SpellState>();
  private readonly changedSpells = new Set<string>();
  private readonly outcomes = new Map<string, OutcomeState>();
  private readonly changedOutcomes = new Set<string>();
  private readonly supports = new Map<string, SupportRow>();
  private readonly newSupports: SupportRow[] = [];

  constructor(
    private readonly scope: LoadedScope,
    loaded: { spells: readonly LoadedSpell[]; outcomes: readonly LoadedOutcome[]; supports: readonly SupportRow[] },
    private readonly readDate: DateColumnReader,
  ) {
    for (const s of loaded.spells) this.spells.set(s.employmentSpellId, { ...s, eventTime: null });
    for (const o of loaded.outcomes)
      this.outcomes.set(outcomeKey(o.clientId, o.outcomeType, o.employmentSpellId), { ...o });
    for (const s of loaded.supports) this.supports.set(s.benefitId, s);
  }

  saveSpell(spell: SpellReport): void {
    const key = this.spellInScope(spell.employmentSpellId);
    const current = this.spells.get(key);
    const eventTimeUs = microsOf(spell.eventTime);
    if (!current) {
      this.spells.set(key, {
        employmentSpellId: key,
        clientId: uuidKey(spell.clientId),
        referralId: spell.referralId === undefined ? null : uuidKey(spell.referralId),
        reportedBy: spell.reportedBy,
        startDate: spell.startDate,
        eventTimeUs,
        eventTime: spell.eventTime,
      });
    } else if (current.eventTimeUs < eventTimeUs) {
      current.startDate = spell.startDate;
      current.eventTimeUs = eventTimeUs;
      current.eventTime = spell.eventTime;
    } else {
      return;
    }
    this.changedSpells.add(key);
  }

  spellStart(employmentSpellId: string): string | undefined {
    const row = this.spells.get(this.spellInScope(employmentSpellId));
    return row ? this.day(row.startDate) : undefined;
  }

  recordOutcome(outcome: OutcomeMilestone, referralId: string | undefined, eventTime: string): boolean {
    const client = inScope("client's outcomes", outcome.clientId, this.scope.outcomeClients);
    const spellId = outcome.employmentSpellId ?? '';
    const key = outcomeKey(client, outcome.outcomeType, spellId);
    const current = this.outcomes.get(key);
    const eventTimeUs = microsOf(eventTime);
    if (current && !(current.eventTimeUs < eventTimeUs)) return false;
    this.outcomes.set(key, {
      clientId: client,
      outcomeType: outcome.outcomeType,
      employmentSpellId: spellId,
      eventTimeUs,
      write: {
        clientId: outcome.clientId,
        outcomeType: outcome.outcomeType,
        employmentSpellId: spellId,
        outcomeId: outcome.outcomeId,
        referralId: referralId ?? null,
        achieved: outcome.achieved,
        observedOn: outcome.observedOn,
        eventTime,
        reportedBy: outcome.reportedBy,
        snapshot: JSON.stringify({ ...outcome, ...(referralId !== undefined && { referralId }) }),
      },
    });
    this.changedOutcomes.add(key);
    return true;
  }

  reportedMilestones(clientId: string, employmentSpellId: string): Set<string> {
    const client = inScope("client's outcomes", clientId, this.scope.outcomeClients);
    const types = new Set<string>();
    for (const o of this.outcomes.values())
      if (o.clientId === client && o.employmentSpellId === employmentSpellId) types.add(o.outcomeType);
    return types;
  }

  saveSupport(support: SupportRow): SupportRow[] {
    const client = inScope("client's supports", support.clientId, this.scope.supportClients);
    const key = uuidKey(support.benefitId);
    if (!this.supports.has(key)) {
      const row: SupportRow = {
        ...support,
        benefitId: key,
        clientId: uuidKey(support.clientId),
        referralId: support.referralId === null ? null : uuidKey(support.referralId),
      };
      this.supports.set(key, row);
      this.newSupports.push(support);
    }
    const end = support.periodEnd ?? support.periodStart;
    return [...this.supports.values()]
      .filter(
        (r) =>
          r.clientId === client &&
          r.benefitType === support.benefitType &&
          r.benefitId !== key &&
          (support.network === 'eo' ? r.network !== 'eo' : r.network === 'eo') &&
          r.periodStart <= end &&
          (r.periodEnd ?? r.periodStart) >= support.periodStart,
      )
      .sort((a, b) => compareIds(a.benefitId, b.benefitId))
      .map((r) => ({
        ...r,
        periodStart: this.day(r.periodStart),
        periodEnd: r.periodEnd === null ? null : this.day(r.periodEnd),
      }));
  }

  /** The job, milestone and support statements of the batch's changes. */
  changes(): Pick<LedgerChanges, 'spells' | 'outcomes' | 'supports'> {
    const spells: SpellWrite[] = [];
    for (const key of this.changedSpells) {
      const s = this.spells.get(key);
      // A changed job was saved by this batch, which set its event time.
      if (s === undefined || s.eventTime === null) continue;
      spells.push({
        employmentSpellId: s.employmentSpellId,
        clientId: s.clientId,
        referralId: s.referralId,
        reportedBy: s.reportedBy,
        startDate: s.startDate,
        eventTime: s.eventTime,
      });
    }
    const outcomes: OutcomeWrite[] = [];
    for (const key of this.changedOutcomes) {
      const write = this.outcomes.get(key)?.write;
      if (write) outcomes.push(write);
    }
    return { spells, outcomes, supports: [...this.newSupports] };
  }

  /** A `date` as the ledger read it back (`Date#toISOString`, first ten characters). */
  private day(text: string): string {
    return this.readDate(text).toISOString().slice(0, 10);
  }

  private spellInScope(employmentSpellId: string): string {
    return inScope('employment spell', employmentSpellId, this.scope.spellIds, this.spells);
  }
}

function outcomeKey(clientId: string, outcomeType: string, employmentSpellId: string): string {
  return JSON.stringify([clientId, outcomeType, employmentSpellId]);
}
