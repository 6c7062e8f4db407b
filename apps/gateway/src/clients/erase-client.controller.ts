import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import type { Principal } from '@passerelle/auth';
import { Access } from '../auth/access';
import { Caller } from '../auth/caller.decorator';
import { CanonicalIdPipe } from '../platform/canonical-id.pipe';
import { EraseClient } from './erase-client';
import { ErasureErrorCode } from './erase-client.error';

/** Referrers ask for their client's personal data to be erased. */
@Controller('clients')
export class EraseClientController {
  constructor(private readonly eraseClient: EraseClient) {}

  @Post(':clientId/erase')
  @HttpCode(204)
  @Access({ scopes: ['consent:write'], orgKinds: ['ow', 'odsp'] })
  erase(
    @Caller() caller: Principal,
    @Param('clientId', new CanonicalIdPipe(ErasureErrorCode.ClientNotFound, 'no such client')) clientId: string,
  ): Promise<void> {
    return this.eraseClient.execute(caller.org, caller.subject, clientId);
  }
}
