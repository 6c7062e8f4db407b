import { Injectable } from '@nestjs/common';
import type { Principal } from '@passerelle/auth';
import type { components } from '@passerelle/contracts';
import { AuditLog } from '@passerelle/persistence';
import { ReferralReadModel } from '../ledger/referral-read-model';
import type { ReferralPageQuery } from '../paging/referral-pages';

export type ProviderReferralPage = components['schemas']['ProviderReferralPage'];

/**
 * `GET /v1/provider/referrals`: a provider's inbox, only the referrals routed to it, paged like a
 * referrer's list. Each referral's personal data read is written to the audit log first.
 */
@Injectable()
export class ReadProviderInbox {
  constructor(
    private readonly ledger: ReferralReadModel,
    private readonly audit: AuditLog,
  ) {}

  async execute(caller: Principal, query: ReferralPageQuery): Promise<ProviderReferralPage> {
    const { referrals, next } = await this.ledger.page('provider', caller.org, query);
    await this.audit.append(
      referrals
        .filter((r) => r.personal !== undefined)
        .map((r) => ({
          org: caller.org,
          subject: caller.subject,
          action: 'read' as const,
          resource: `referral/${r.referralId}`,
          purpose: 'service-delivery',
          clientId: r.clientId,
        })),
    );
    return { items: referrals, ...(next !== undefined && { next }) };
  }
}
