import { Inject, Injectable } from '@nestjs/common';
import { sql, type Kysely } from 'kysely';
import type { FollowUpDue } from '@passerelle/contracts';
import {
  followUpMilestone,
  followUpMilestoneSql,
  type DatabaseHandle,
  type FollowUpTimerPayload,
  type GatewayDatabase,
  type LedgerReadModel,
  type ReadOnlyTable,
  type TimerTable,
} from '@passerelle/persistence';
import { DATABASE } from '../tokens';
import { encodeFollowUpCursor, type FollowUpPageQuery } from './follow-up-pages';

/** What this read model may touch: the tracker's timers and outcomes, read-only (a write does not compile). */
interface FollowUpLedger {
  timer: ReadOnlyTable<TimerTable>;
  outcome: LedgerReadModel['outcome'];
}

/**
 * Read-only port over the tracker's outcome follow-ups: its `follow-up-due` timers (scheduled per
 * job an EO provider reported; cancelled when the outcome comes before they fire) and the outcomes
 * that answer them. Every query is scoped to one provider, so another's follow-ups are not found.
 */
@Injectable()
export class FollowUpReadModel {
  private readonly db: Kysely<FollowUpLedger>;

  constructor(@Inject(DATABASE) database: DatabaseHandle<GatewayDatabase>) {
    // Narrowed to the two tables, read-only: a write from here does not compile.
    this.db = database.db;
  }

  /**
   * A page of the provider's follow-ups due on or before `query.due` that no outcome of their
   * milestone answers yet (fired or not: a fired timer stays until then), earliest due first,
   * keyset-paged on (due day, timer id).
   */
  async due(provider: string, query: FollowUpPageQuery): Promise<{ followUps: FollowUpDue[]; next?: string }> {
    const dueOn = sql<string>`t.payload->>'dueOn'`;
    let select = this.db
      .selectFrom('timer as t')
      .select(['t.id', 't.client_id', 't.referral_id', 't.payload'])
      .where('t.kind', '=', 'follow-up-due')
      .where('t.cancelled_at', 'is', null)
      .where(sql<string>`t.payload->>'provider'`, '=', provider)
      .where(dueOn, '<=', query.due)
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('outcome as o')
              .select(sql<number>`1`.as('one'))
              .whereRef('o.client_id', '=', 't.client_id')
              .where('o.outcome_type', '=', followUpMilestoneSql('t'))
              .where(
                sql<string>`lower(o.employment_spell_id)`,
                '=',
                sql<string>`lower(t.payload->>'employmentSpellId')`,
              ),
          ),
        ),
      );
    if (query.cursor)
      select = select.where(
        sql<boolean>`(${dueOn}, t.id) > (${query.cursor.dueOn}::text, ${query.cursor.timerId}::bigint)`,
      );
    const rows = await select
      .orderBy(dueOn)
      .orderBy('t.id')
      .limit(query.limit + 1)
      .execute();
    const page = rows.slice(0, query.limit);
    const followUps = page.map((row): FollowUpDue => {
      const payload = row.payload as FollowUpTimerPayload;
      return {
        clientId: row.client_id,
        ...(row.referral_id !== null && { referralId: row.referral_id }),
        program: payload.program,
        source: payload.source,
        employmentSpellId: payload.employmentSpellId,
        provider: payload.provider,
        outcomeType: followUpMilestone(payload.months),
        jobStartDate: payload.jobStartDate,
        dueOn: payload.dueOn,
      };
    });
    const last = page.at(-1);
    return {
      followUps,
      ...(rows.length > query.limit &&
        last !== undefined && {
          next: encodeFollowUpCursor({ dueOn: (last.payload as FollowUpTimerPayload).dueOn, timerId: last.id }),
        }),
    };
  }
}
