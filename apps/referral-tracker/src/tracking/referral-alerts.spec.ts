import { schemaIdForPath, schemaRegistry, type Referral, type ServiceEvent } from '@passerelle/contracts';
import { TopicNames } from '@passerelle/messaging';
import { readDateColumn } from '@passerelle/persistence';
import { LedgerBatch } from '../ledger/ledger-batch';
import type { SupportRow } from '../ledger/ledger-rows';
import { ReferralAlerts } from './referral-alerts';

const alerts = new ReferralAlerts(new TopicNames('p.'));
const CLIENT = '8d7c6b5a-4e3f-5a2b-9c1d-0e9f8a7b6c5d';
const REFERRAL = '88553b41-1d3c-5313-8aad-07f436ff6f10';
const cause = { eventId: 'event-1', occurredAt: '2025-10-14T20:45:00.000Z' };
const referral = {
  referralId: REFERRAL,
  clientId: CLIENT,
  referrer: 'ow:greater-sudbury',
  provider: 'eo:provider-7',
} as Referral;
const support = (network: string, issuedBy: string, benefitId: string): SupportRow => ({
  benefitId,
  clientId: CLIENT,
  network,
  issuedBy,
  benefitType: 'work-clothing',
  periodStart: '2025-08-20',
  periodEnd: network === 'eo' ? '2025-08-31' : null,
  referralId: network === 'eo' ? REFERRAL : null,
});
const notifications = (ledger: LedgerBatch) =>
  ledger.changes().outbox.map((m) => ({ topic: m.topic, event: JSON.parse(m.json) as Record<string, unknown> }));
const validNotification = (data: unknown) =>
  schemaRegistry().validate(schemaIdForPath('canonical/alert-notification.json'), data).ok;

describe('ReferralAlerts', () => {
  it('keeps a duplicate support for the office that issued the income side, and notifies it', () => {
    const ledger = LedgerBatch.empty(readDateColumn);
    const income = support('ow', 'ow:greater-sudbury', '1b2c3d4e-5f6a-5b7c-8d9e-0f1a2b3c4d5e');
    const eo = support('eo', 'eo:provider-7', '2c3d4e5f-6a7b-5c8d-9e0f-1a2b3c4d5e6f');
    alerts.duplicateSupport(ledger, '9c8b7a6d-5e4f-5a3b-8c2d-1e0f9a8b7c6d', income, eo, cause);
    const [alert] = ledger.changes().alerts;
    expect(alert).toEqual({
      alertId: '9c8b7a6d-5e4f-5a3b-8c2d-1e0f9a8b7c6d',
      kind: 'duplicate-support',
      recipient: 'ow:greater-sudbury',
      referralId: REFERRAL,
      clientId: CLIENT,
      occurredAt: cause.occurredAt,
      details: {
        benefitType: 'work-clothing',
        supports: [
          { benefitId: income.benefitId, issuedBy: 'ow:greater-sudbury', periodStart: '2025-08-20' },
          { benefitId: eo.benefitId, issuedBy: 'eo:provider-7', periodStart: '2025-08-20', periodEnd: '2025-08-31' },
        ],
      },
    });
    const [note] = notifications(ledger);
    expect(note.topic).toBe('p.notifications.v1');
    expect(note.event).toMatchObject({
      type: 'ca.on.passerelle.notification.alert-raised',
      subject: alert.alertId,
      partitionkey: CLIENT,
      data: { recipient: 'ow:greater-sudbury', change: 'duplicate-support', alertId: alert.alertId },
    });
    expect(validNotification(note.event.data)).toBe(true);
  });

  it('keeps a no-show for the referrer, with the service event when it came from the provider record', () => {
    const ledger = LedgerBatch.empty(readDateColumn);
    const event = { serviceEventId: '6a5b4c3d-2e1f-5a0b-9c8d-7e6f5a4b3c2d', occurredOn: '2025-10-01' } as ServiceEvent;
    alerts.noShow(ledger, referral, 'eo:provider-7', cause, event);
    alerts.noShow(ledger, referral, 'eo:provider-7', { ...cause, eventId: 'event-2' });
    const [fromRecord, fromRequest] = ledger.changes().alerts;
    expect(fromRecord).toMatchObject({
      kind: 'no-show',
      recipient: 'ow:greater-sudbury',
      referralId: REFERRAL,
      details: { provider: 'eo:provider-7', serviceEventId: event.serviceEventId, occurredOn: '2025-10-01' },
    });
    expect(fromRequest.details).toEqual({ provider: 'eo:provider-7' });
    // Each no-show is its own alert; the same cause gives the same id (a replay raises nothing new).
    expect(fromRecord.alertId).not.toBe(fromRequest.alertId);
    const replay = LedgerBatch.empty(readDateColumn);
    alerts.noShow(replay, referral, 'eo:provider-7', cause, event);
    expect(replay.changes().alerts[0].alertId).toBe(fromRecord.alertId);
    for (const note of notifications(ledger)) expect(validNotification(note.event.data)).toBe(true);
  });

  it('carries no personal data', () => {
    const ledger = LedgerBatch.empty(readDateColumn);
    alerts.noShow(ledger, { ...referral, personal: { name: { givenName: 'Éloïse' } } } as Referral, 'eo:p', cause);
    expect(JSON.stringify(ledger.changes())).not.toContain('Éloïse');
  });
});
