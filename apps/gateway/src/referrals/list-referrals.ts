import { Injectable } from '@nestjs/common';
import { ReferralReadModel } from '../ledger/referral-read-model';
import type { ReferralPageQuery } from '../paging/referral-pages';
import type { Language } from '../problem/problem-language';
import { labelled, statusView, type ReferralStatusPage } from './referral-status';

/**
 * `GET /v1/referrals`: the referrals the tracker holds for this referrer, oldest change first,
 * filtered and cursor-paged (a submission appears once the tracker recorded it).
 */
@Injectable()
export class ListReferrals {
  constructor(private readonly ledger: ReferralReadModel) {}

  async execute(referrer: string, query: ReferralPageQuery, language: Language): Promise<ReferralStatusPage> {
    const { referrals, next } = await this.ledger.page('referrer', referrer, query);
    return {
      items: referrals.map((referral) => labelled(statusView(referral), language)),
      ...(next !== undefined && { next }),
    };
  }
}
