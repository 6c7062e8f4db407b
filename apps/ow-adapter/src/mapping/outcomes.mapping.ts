/**
 * The outcomes of an OW record and the milestones of an ODSP one -> `outcome.recorded`, with the
 * jobs they are about as employment spells. Pure, like the rest of the mapping
 * (./source-record.mapping.ts).
 */
import type { EmploymentSpell, OutcomeMilestone } from '@passerelle/contracts';
import { SourceCodeMapper, canonicalEmployment, stableEntityId } from '@passerelle/translation';
import { OW_EVENT_KINDS } from './event-kinds';
import type { Common, EmploymentDetails, OwRecordEvents } from './source-view';

/**
 * OW outcomes (employment, retention, increased earnings, exit to employment) and ODSP milestones
 * -> `outcome.recorded` (`achieved: true`: the source lists outcomes reached). The job an outcome
 * is about becomes an employment spell (id from the source job id, the same in every outcome
 * and version): `employment.started` where the record first mentions it, `employment.updated`
 * (keyed by outcome) at each later mention with the job as found then, `employment.ended` once
 * a mention gives an end date.
 */
export function mapOutcomes(out: OwRecordEvents, codes: SourceCodeMapper, common: Common): void {
  const { view } = out;
  const { values, pointer: listPointer } = view.outcomes;
  const ended = new Map<string, EmploymentSpell>();
  const seen = new Set<string>();
  values.forEach((o, i) => {
    const pointer = `${listPointer}/${i}`;
    let employment: EmploymentDetails | undefined;
    let employmentSpellId: string | undefined;
    if (o.employment !== undefined) {
      const job = o.employment;
      employment = canonicalEmployment(codes, `${pointer}/employment`, job);
      employmentSpellId = stableEntityId(view.issuer, 'employment', job.employmentId);
      const first = !seen.has(job.employmentId);
      seen.add(job.employmentId);
      const spell: EmploymentSpell = {
        employmentSpellId,
        ...common,
        source: out.source(first ? job.employmentId : o.outcomeId),
        reportedBy: view.org,
        employment,
      };
      if (first) out.add(OW_EVENT_KINDS.employmentStarted, employmentSpellId, spell, job.employmentId);
      else out.add(OW_EVENT_KINDS.employmentUpdated, employmentSpellId, spell, o.outcomeId);
      if (job.jobEndDate !== undefined) ended.set(job.employmentId, { ...spell, source: out.source(job.employmentId) });
    }
    const outcomeId = out.occurrenceId('outcome', o.outcomeId);
    const data: OutcomeMilestone = {
      outcomeId,
      ...common,
      source: out.source(o.outcomeId),
      ...(employmentSpellId !== undefined && { employmentSpellId }),
      reportedBy: view.org,
      outcomeType: codes.map('outcome-types', `${pointer}/outcomeTypeCode`, o.outcomeTypeCode),
      achieved: true,
      observedOn: o.achievedOn,
      ...(o.monthlyEarnings !== undefined && { monthlyEarnings: o.monthlyEarnings }),
      ...(employment !== undefined && { employment }),
    };
    out.add(OW_EVENT_KINDS.outcomeRecorded, outcomeId, data, o.outcomeId);
  });
  for (const [employmentId, spell] of ended)
    out.add(OW_EVENT_KINDS.employmentEnded, spell.employmentSpellId, spell, employmentId);
}
