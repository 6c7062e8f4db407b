import { Module } from '@nestjs/common';
import { LedgerModule } from '../ledger/ledger.module';
import { ConsentsController } from './consents.controller';
import { WithdrawConsent } from './withdraw-consent';

/** Referrers' consent withdrawals (`/v1/clients/{clientId}/consent/withdraw`). */
@Module({ imports: [LedgerModule], controllers: [ConsentsController], providers: [WithdrawConsent] })
export class ConsentsModule {}
