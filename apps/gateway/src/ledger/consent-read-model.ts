import { Inject, Injectable } from '@nestjs/common';
import type { Consent } from '@passerelle/contracts';
import type { DatabaseHandle, GatewayDatabase } from '@passerelle/persistence';
import { DATABASE } from '../tokens';

/** A consent as the tracker holds it. */
export interface RecordedConsent {
  /** The canonical Consent as last received; absent once the tracker dropped it. */
  consent?: Consent;
  withdrawnAt?: Date;
}

/**
 * Read-only port over the tracker's consents (`consent`, `referral`: read-only in
 * `GatewayDatabase`). A consent exists for an organization only if it referred the client under it.
 */
@Injectable()
export class ConsentReadModel {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle<GatewayDatabase>) {}

  /** The client's consent `consentId`, if `referrer` made a referral under it. */
  async findOfReferrer(referrer: string, clientId: string, consentId: string): Promise<RecordedConsent | undefined> {
    const row = await this.database.db
      .selectFrom('consent')
      .select(['snapshot', 'withdrawn_at'])
      .where('consent_id', '=', consentId)
      .where('client_id', '=', clientId)
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom('referral')
            .select('referral_id')
            .where('referral.consent_id', '=', consentId)
            .where('referral.referrer', '=', referrer),
        ),
      )
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      ...(row.snapshot !== null && { consent: row.snapshot as Consent }),
      ...(row.withdrawn_at !== null && { withdrawnAt: row.withdrawn_at }),
    };
  }
}
