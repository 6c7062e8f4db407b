import { Module } from '@nestjs/common';
import { LedgerModule } from '../ledger/ledger.module';
import { ConsentsController } from './consents.controller';
import { WithdrawConsent } from './withdraw-consent';

/** Referrers' consent withdrawals (`/v1/clients/{clientId}/consent/withdraw`). */
@Module({ imports: [LedgerModule], controllers: [ConsentsController], providers: [WithdrawConsent] })
// eslint-disable-next-line @typescript-eslint/no-extraneous-class -- a Nest module is a class that carries its metadata
export class ConsentsModule {}
