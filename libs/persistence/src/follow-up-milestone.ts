import { sql, type RawBuilder } from 'kysely';
import type { FollowUpDue } from '@passerelle/contracts';
import type { FollowUpTimerPayload } from './schema';

/**
 * The IES milestone a follow-up checks (schemas/codes/outcome-types.json): `ies-employed-1-month`,
 * `ies-employed-3-months`, ... The tracker names follow-ups by it, and an outcome of that type
 * for the job answers the follow-up.
 */
export function followUpMilestone(months: FollowUpTimerPayload['months']): FollowUpDue['outcomeType'] {
  return `ies-employed-${months}-month${months === 1 ? '' : 's'}` as FollowUpDue['outcomeType'];
}

/**
 * {@link followUpMilestone} of a `follow-up-due` timer row in SQL (`timer`: the row's alias in
 * the query), for the queries that match timers with the outcomes answering them.
 */
export function followUpMilestoneSql(timer: string): RawBuilder<string> {
  const months = sql`${sql.ref(`${timer}.payload`)}->>'months'`;
  return sql<string>`'ies-employed-' || (${months}) || case when ${months} = '1' then '-month' else '-months' end`;
}
