import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import type { Principal } from '@passerelle/auth';
import { Access } from '../auth/access';
import { Caller } from '../auth/caller.decorator';
import { IdempotencyKey } from '../idempotency/idempotency-key.decorator';
import { Idempotent } from '../idempotency/idempotent.decorator';
import { CanonicalIdPipe } from '../platform/canonical-id.pipe';
import { ValidBodyPipe } from '../platform/valid-body.pipe';
import { WithdrawConsent, type ConsentWithdrawn } from './withdraw-consent';
import { ConsentErrorCode } from './consent.error';

/** Referrers record a client's consent withdrawal. */
@Controller('clients')
export class ConsentsController {
  constructor(private readonly withdrawConsent: WithdrawConsent) {}

  @Post(':clientId/consent/withdraw')
  @HttpCode(202)
  @Idempotent()
  @Access({ scopes: ['consent:write'], orgKinds: ['ow', 'odsp'] })
  withdraw(
    @Caller() caller: Principal,
    @Param('clientId', new CanonicalIdPipe(ConsentErrorCode.NotFound, 'no such consent for this client'))
    clientId: string,
    @Body(new ValidBodyPipe('api/consent-withdrawal.json', 'name the consent withdrawn')) body: { consentId: string },
    @IdempotencyKey() key: string,
  ): Promise<ConsentWithdrawn> {
    return this.withdrawConsent.execute(caller.org, clientId, body.consentId.toLowerCase(), key, caller.subject);
  }
}
