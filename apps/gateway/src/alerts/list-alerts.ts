import { Injectable } from '@nestjs/common';
import type { Language } from '../problem/problem-language';
import { encodeAlertCursor, type AlertPageQuery } from './alert-query';
import { AlertReadModel } from './alert-read-model';
import { alertView, type AlertPage } from './alert-view';

/**
 * `GET /v1/alerts`: the duplicate supports and no-shows the tracker raised for this referrer,
 * newest first, filtered and cursor-paged; never another organization's.
 */
@Injectable()
export class ListAlerts {
  constructor(private readonly alerts: AlertReadModel) {}

  async execute(recipient: string, query: AlertPageQuery, language: Language): Promise<AlertPage> {
    const { alerts, more } = await this.alerts.page(recipient, query);
    const last = alerts.at(-1);
    return {
      items: alerts.map((alert) => alertView(alert, language)),
      ...(more && last && { next: encodeAlertCursor(last) }),
    };
  }
}
