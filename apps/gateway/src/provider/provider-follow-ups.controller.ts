import { Controller, Get, Query } from '@nestjs/common';
import type { Principal } from '@passerelle/auth';
import { Access } from '../auth/access';
import { Caller } from '../auth/caller.decorator';
import { FollowUpPageQueryPipe, type FollowUpPageQuery } from './follow-up-pages';
import { ListProviderFollowUps, type ProviderFollowUpPage } from './list-provider-follow-ups';

/** EO providers: the outcome follow-ups due for the jobs they reported. */
@Controller('provider/follow-ups')
export class ProviderFollowUpsController {
  constructor(private readonly listFollowUps: ListProviderFollowUps) {}

  @Get()
  @Access({ scopes: ['provider:read'], orgKinds: ['eo'] })
  due(
    @Caller() caller: Principal,
    @Query(FollowUpPageQueryPipe) query: FollowUpPageQuery,
  ): Promise<ProviderFollowUpPage> {
    return this.listFollowUps.execute(caller.org, query);
  }
}
