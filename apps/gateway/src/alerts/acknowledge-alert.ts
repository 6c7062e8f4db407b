import { Injectable } from '@nestjs/common';
import type { Principal } from '@passerelle/auth';
import { IdempotentAnswer } from '../idempotency/idempotent-answer';
import { problem } from '../problem/problem';
import type { Language } from '../problem/problem-language';
import { AlertAcknowledgements } from './alert-acknowledgements';
import { AlertReadModel } from './alert-read-model';
import { alertView, type Alert } from './alert-view';
import { AlertErrorCode } from './alert.error';

/**
 * `POST /v1/alerts/{alertId}/acknowledge`: the recipient's caseworker took the alert in hand. The
 * first acknowledgement is kept (again: the same answer); another organization's alert is `404`,
 * like a missing one. Audited with the kept answer.
 */
@Injectable()
export class AcknowledgeAlert {
  constructor(
    private readonly alerts: AlertReadModel,
    private readonly acknowledgements: AlertAcknowledgements,
  ) {}

  async execute(caller: Principal, alertId: string, language: Language): Promise<IdempotentAnswer<Alert>> {
    const alert = await this.alerts.find(caller.org, alertId);
    if (!alert) throw problem(404, 'no such alert', { code: AlertErrorCode.NotFound });
    const acknowledgedAt = await this.acknowledgements.acknowledge(alertId, caller.org, caller.subject);
    return new IdempotentAnswer(alertView({ ...alert, acknowledgedAt }, language), {
      effects: {
        audit: [
          {
            org: caller.org,
            subject: caller.subject,
            action: 'write',
            resource: `alert/${alertId}`,
            purpose: 'alert-follow-up',
            clientId: alert.clientId,
          },
        ],
      },
    });
  }
}
