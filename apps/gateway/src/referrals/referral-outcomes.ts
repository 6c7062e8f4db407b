import { label, type Lang } from '@passerelle/codes';
import type { OutcomeMilestone, components } from '@passerelle/contracts';
import type { RecordedOutcome } from '../ledger/referral-timeline-read-model';

export type ReferralOutcomes = components['schemas']['ReferralOutcomes'];
export type ReferralOutcome = ReferralOutcomes['items'][number];

/**
 * One milestone as the referrer reads it: what, met or not, when, who reported it, with its codes'
 * labels in `language`. Only the milestone's own facts: the job's employer, hours and earnings
 * stay with the provider that reported them.
 */
export function referralOutcome(recorded: RecordedOutcome, language: Lang): ReferralOutcome {
  const milestone = recorded.snapshot as OutcomeMilestone;
  const outcomeType = recorded.outcomeType as ReferralOutcome['outcomeType'];
  const { program, employmentSpellId, clientSituation } = milestone;
  return {
    outcomeId: recorded.outcomeId,
    outcomeType,
    achieved: recorded.achieved,
    observedOn: recorded.observedOn,
    program,
    ...(employmentSpellId !== undefined && { employmentSpellId }),
    ...(clientSituation !== undefined && { clientSituation }),
    reportedBy: recorded.reportedBy,
    reportedAt: recorded.reportedAt.toISOString(),
    labels: {
      outcomeType: label('outcome-types', outcomeType, language),
      program: label('programs', program, language),
      ...(clientSituation !== undefined && { clientSituation: label('exit-reasons', clientSituation, language) }),
    },
  };
}

/** A referral's outcome milestones, in the order given (oldest observation first). */
export function referralOutcomes(referralId: string, recorded: RecordedOutcome[], language: Lang): ReferralOutcomes {
  return { referralId, items: recorded.map((outcome) => referralOutcome(outcome, language)) };
}
