import { Inject, Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import type { DatabaseHandle, GatewayDatabase } from '@passerelle/persistence';
import { DATABASE } from '../tokens';
import type { AlertPageQuery } from './alert-query';

/** An alert as the tracker kept it. */
export interface RecordedAlert {
  alertId: string;
  kind: string;
  referralId: string | null;
  clientId: string;
  /** ISO 8601 in UTC, to the microsecond (what the page cursor compares). */
  occurredAt: string;
  details: unknown;
  /** When the recipient acknowledged it (null: not yet). */
  acknowledgedAt: Date | null;
}

/**
 * Read-only port over the tracker's alert ledger (`referral_alert`, typed read-only in
 * `GatewayDatabase`), with the gateway's own acknowledgements beside each: every query is scoped
 * to the alerts' recipient, so another organization's alerts are simply not found.
 */
@Injectable()
export class AlertReadModel {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle<GatewayDatabase>) {}

  /** One of `recipient`'s alerts. */
  async find(recipient: string, alertId: string): Promise<RecordedAlert | undefined> {
    const row = await this.select(recipient).where('referral_alert.alert_id', '=', alertId).executeTakeFirst();
    return row && recordedAlert(row);
  }

  /** A page of `recipient`'s alerts, newest first, keyset-paged on (occurred_at, alert_id). */
  async page(recipient: string, query: AlertPageQuery): Promise<{ alerts: RecordedAlert[]; more: boolean }> {
    let select = this.select(recipient);
    if (query.kind !== undefined) select = select.where('kind', '=', query.kind);
    if (query.referralId !== undefined) select = select.where('referral_id', '=', query.referralId);
    if (query.cursor)
      select = select.where(
        sql<boolean>`(occurred_at, referral_alert.alert_id) < (${query.cursor.occurredAt}::timestamptz, ${query.cursor.alertId}::uuid)`,
      );
    const rows = await select
      .orderBy('occurred_at', 'desc')
      .orderBy('referral_alert.alert_id', 'desc')
      .limit(query.limit + 1)
      .execute();
    return { alerts: rows.slice(0, query.limit).map(recordedAlert), more: rows.length > query.limit };
  }

  private select(recipient: string) {
    return this.database.db
      .selectFrom('referral_alert')
      .leftJoin('alert_acknowledgement', 'alert_acknowledgement.alert_id', 'referral_alert.alert_id')
      .select([
        'referral_alert.alert_id',
        'kind',
        'referral_id',
        'client_id',
        sql<string>`to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as('occurred'),
        'details',
        'acknowledged_at',
      ])
      .where('recipient', '=', recipient);
  }
}

function recordedAlert(row: {
  alert_id: string;
  kind: string;
  referral_id: string | null;
  client_id: string;
  occurred: string;
  details: unknown;
  acknowledged_at: Date | null;
}): RecordedAlert {
  return {
    alertId: row.alert_id,
    kind: row.kind,
    referralId: row.referral_id,
    clientId: row.client_id,
    occurredAt: row.occurred,
    details: row.details,
    acknowledgedAt: row.acknowledged_at,
  };
}
