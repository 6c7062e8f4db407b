import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import type { Principal } from '@passerelle/auth';
import type { ConflictPageQuery } from '@passerelle/persistence';
import { Access } from '../auth/access';
import { Caller } from '../auth/caller.decorator';
import { Idempotent } from '../idempotency/idempotent.decorator';
import type { IdempotentAnswer } from '../idempotency/idempotent-answer';
import { CanonicalIdPipe } from '../platform/canonical-id.pipe';
import { ValidBodyPipe } from '../platform/valid-body.pipe';
import { ClientLinkErrorCode } from './client-link.error';
import { ConflictPageQueryPipe } from './conflict-query';
import type { LinkConflictPage, LinkConflictResolution, LinkConflictView } from './link-conflict-view';
import { ListLinkConflicts } from './list-link-conflicts';
import { ResolveLinkConflict } from './resolve-link-conflict';

/** Referrers: the identity-link conflicts they are involved in, and their decision on each. */
@Controller('clients/conflicts')
export class LinkConflictsController {
  constructor(
    private readonly listConflicts: ListLinkConflicts,
    private readonly resolveConflict: ResolveLinkConflict,
  ) {}

  @Get()
  @Access({ scopes: ['clients:read'], orgKinds: ['ow', 'odsp'] })
  list(@Caller() caller: Principal, @Query(ConflictPageQueryPipe) query: ConflictPageQuery): Promise<LinkConflictPage> {
    return this.listConflicts.execute(caller, query);
  }

  @Post(':conflictId/resolve')
  @HttpCode(200)
  @Idempotent()
  @Access({ scopes: ['clients:write'], orgKinds: ['ow', 'odsp'] })
  resolve(
    @Caller() caller: Principal,
    @Param('conflictId', new CanonicalIdPipe(ClientLinkErrorCode.ConflictNotFound, 'no such link conflict'))
    id: string,
    @Body(
      new ValidBodyPipe(
        'api/link-conflict-resolution.json',
        'name the resolution (link with a clientId, or keep-apart)',
      ),
    )
    body: LinkConflictResolution,
  ): Promise<IdempotentAnswer<LinkConflictView>> {
    return this.resolveConflict.execute(caller, id, body);
  }
}
