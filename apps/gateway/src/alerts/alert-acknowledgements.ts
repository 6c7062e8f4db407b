import { Inject, Injectable } from '@nestjs/common';
import type { DatabaseHandle, GatewayDatabase } from '@passerelle/persistence';
import { DATABASE } from '../tokens';

/** The gateway's own record of which alerts their recipient acknowledged (`alert_acknowledgement`). */
@Injectable()
export class AlertAcknowledgements {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle<GatewayDatabase>) {}

  /** Keeps the first acknowledgement of an alert; returns when it was acknowledged (now, or before). */
  async acknowledge(alertId: string, org: string, subject: string): Promise<Date> {
    await this.database.db
      .insertInto('alert_acknowledgement')
      .values({ alert_id: alertId, org, acknowledged_by: subject })
      .onConflict((oc) => oc.column('alert_id').doNothing())
      .execute();
    const row = await this.database.db
      .selectFrom('alert_acknowledgement')
      .select('acknowledged_at')
      .where('alert_id', '=', alertId)
      .executeTakeFirstOrThrow();
    return row.acknowledged_at;
  }
}
