import { Injectable } from '@nestjs/common';
import type { components } from '@passerelle/contracts';
import type { FollowUpPageQuery } from './follow-up-pages';
import { FollowUpReadModel } from './follow-up-read-model';

export type ProviderFollowUpPage = components['schemas']['ProviderFollowUpPage'];

/**
 * `GET /v1/provider/follow-ups?due=`: the calling provider's outcome follow-ups due and not yet
 * answered, paged. No personal data in them (ids and dates), so no audit entry.
 */
@Injectable()
export class ListProviderFollowUps {
  constructor(private readonly followUps: FollowUpReadModel) {}

  async execute(provider: string, query: FollowUpPageQuery): Promise<ProviderFollowUpPage> {
    const { followUps, next } = await this.followUps.due(provider, query);
    return { items: followUps, ...(next !== undefined && { next }) };
  }
}
