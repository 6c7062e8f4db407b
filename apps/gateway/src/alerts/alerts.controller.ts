import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import type { Principal } from '@passerelle/auth';
import { Access } from '../auth/access';
import { Caller } from '../auth/caller.decorator';
import { Idempotent } from '../idempotency/idempotent.decorator';
import type { IdempotentAnswer } from '../idempotency/idempotent-answer';
import { CanonicalIdPipe } from '../platform/canonical-id.pipe';
import { PreferredLanguage } from '../problem/preferred-language.decorator';
import type { Language } from '../problem/problem-language';
import { AlertPageQueryPipe, type AlertPageQuery } from './alert-query';
import type { Alert, AlertPage } from './alert-view';
import { AlertErrorCode } from './alert.error';
import { AcknowledgeAlert } from './acknowledge-alert';
import { ListAlerts } from './list-alerts';

/** Referrers' caseworkers: what to act on (duplicate supports, no-shows). */
@Controller('alerts')
export class AlertsController {
  constructor(
    private readonly listAlerts: ListAlerts,
    private readonly acknowledgeAlert: AcknowledgeAlert,
  ) {}

  @Get()
  @Access({ scopes: ['referrals:read'], orgKinds: ['ow', 'odsp'] })
  list(
    @Caller() caller: Principal,
    @Query(AlertPageQueryPipe) query: AlertPageQuery,
    @PreferredLanguage() language: Language,
  ): Promise<AlertPage> {
    return this.listAlerts.execute(caller.org, query, language);
  }

  @Post(':alertId/acknowledge')
  @HttpCode(200)
  @Idempotent()
  @Access({ scopes: ['referrals:write'], orgKinds: ['ow', 'odsp'] })
  acknowledge(
    @Caller() caller: Principal,
    @Param('alertId', new CanonicalIdPipe(AlertErrorCode.NotFound, 'no such alert')) alertId: string,
    @PreferredLanguage() language: Language,
  ): Promise<IdempotentAnswer<Alert>> {
    return this.acknowledgeAlert.execute(caller, alertId, language);
  }
}
