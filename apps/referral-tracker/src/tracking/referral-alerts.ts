import {
  ALERT_NOTIFICATION_TYPE,
  nameBasedUuid,
  unambiguousName,
  type AlertNotification,
  type Referral,
  type ServiceEvent,
} from '@passerelle/contracts';
import { canonicalEvent, type TopicNames } from '@passerelle/messaging';
import type { LedgerBatch } from '../ledger/ledger-batch';
import type { AlertRow, SupportRow } from '../ledger/ledger-rows';
import { checkedEvent, type Cause } from './tracker-events';

const SOURCE = '/passerelle/referral-tracker';

/** One side of a duplicate support, as `support.duplicate-suspected` and its alert describe it. */
export function supportSide(s: SupportRow) {
  return {
    benefitId: s.benefitId,
    issuedBy: s.issuedBy,
    periodStart: s.periodStart,
    ...(s.periodEnd !== null && { periodEnd: s.periodEnd }),
  };
}

/** Namespace of alert ids (fixed: changing it would raise every alert again on a replay). */
const ALERT_NAMESPACE = Buffer.from('5d2e8b1f6a3c4d7e9f0a1b2c3d4e5f60', 'hex');

/**
 * Alerts for a referrer's caseworker: kept in the ledger (`referral_alert`, read by
 * `GET /v1/alerts`) and notified on `notifications.v1` (`notification.alert-raised`, for the
 * referrer's webhooks), in the batch's transaction. Ids derive from what raised the alert, so a
 * replayed batch raises nothing twice. Ids and codes only: no personal data.
 */
export class ReferralAlerts {
  constructor(private readonly names: TopicNames) {}

  /**
   * Supports of the same type issued by OW / ODSP (`income`) and by an EO provider (`eo`) for
   * overlapping periods: to the OW / ODSP office that issued the income side (the client's
   * referrer there), under the id `support.duplicate-suspected` carries (`alertId`).
   */
  duplicateSupport(ledger: LedgerBatch, alertId: string, income: SupportRow, eo: SupportRow, cause: Cause): void {
    const referralId = eo.referralId ?? income.referralId;
    this.raise(
      ledger,
      {
        alertId,
        kind: 'duplicate-support',
        recipient: income.issuedBy,
        referralId,
        clientId: eo.clientId,
        occurredAt: cause.occurredAt,
        details: {
          benefitType: eo.benefitType as NonNullable<AlertRow['details']['benefitType']>,
          supports: [supportSide(income), supportSide(eo)],
        },
      },
      cause,
    );
  }

  /**
   * The client did not attend an event the provider scheduled: to the referral's referrer. From
   * the provider's record (`serviceEvent`) or its request through the gateway.
   */
  noShow(ledger: LedgerBatch, referral: Referral, provider: string, cause: Cause, serviceEvent?: ServiceEvent): void {
    this.raise(
      ledger,
      {
        alertId: nameBasedUuid(ALERT_NAMESPACE, unambiguousName(['no-show', referral.referralId, cause.eventId])),
        kind: 'no-show',
        recipient: referral.referrer,
        referralId: referral.referralId,
        clientId: referral.clientId,
        occurredAt: cause.occurredAt,
        details: {
          ...(provider.startsWith('eo:') && { provider }),
          ...(serviceEvent !== undefined && {
            serviceEventId: serviceEvent.serviceEventId,
            occurredOn: serviceEvent.occurredOn,
          }),
        },
      },
      cause,
    );
  }

  private raise(ledger: LedgerBatch, alert: AlertRow, cause: Cause): void {
    ledger.raiseAlert(alert);
    const data: AlertNotification = {
      notificationId: nameBasedUuid(ALERT_NAMESPACE, unambiguousName(['alert-raised', alert.alertId])),
      recipient: alert.recipient,
      change: alert.kind,
      alertId: alert.alertId,
      ...(alert.referralId !== null && { referralId: alert.referralId }),
      clientId: alert.clientId,
      occurredAt: alert.occurredAt,
      details: alert.details,
    };
    const event = canonicalEvent({
      type: ALERT_NOTIFICATION_TYPE,
      id: data.notificationId,
      source: SOURCE,
      time: alert.occurredAt,
      subject: alert.alertId,
      correlationid: cause.correlationId ?? cause.eventId,
      causationid: cause.eventId,
      partitionkey: alert.clientId,
      data,
    });
    ledger.emit([{ topic: this.names.of('notifications.v1'), event: checkedEvent(event) }]);
  }
}
