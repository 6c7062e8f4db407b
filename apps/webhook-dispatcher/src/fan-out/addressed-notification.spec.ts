import { addressedNotification, NOTIFICATION_EVENT_TYPES, type AddressedNotification } from './addressed-notification';
import { subscriptionWants } from './notification-fan-out';

const referralNotification = {
  notificationId: '6f1e2d3c-4b5a-5968-8776-a5b4c3d2e1f0',
  recipient: 'eo:provider-7',
  referralId: '2c9a7b1e-3d4f-5a6b-8c7d-9e0f1a2b3c4d',
  clientId: '8d7c6b5a-4e3f-5a2b-9c1d-0e9f8a7b6c5d',
  change: 'routed',
  status: 'requested',
  businessStatus: 'routed',
  provider: 'eo:provider-7',
  link: '/v1/provider/referrals',
  occurredAt: '2025-09-18T10:15:00.000Z',
};
const followUpNotification = {
  notificationId: '0d4f1b9e-2c7a-5e3b-9f8d-6a5b4c3d2e1f',
  recipient: 'eo:provider-7',
  change: 'follow-up-due',
  clientId: '8d7c6b5a-4e3f-5a2b-9c1d-0e9f8a7b6c5d',
  employmentSpellId: '3b2a1c0d-9e8f-5a7b-8c6d-5e4f3a2b1c0d',
  outcomeType: 'ies-employed-3-months',
  dueOn: '2025-09-02',
  occurredAt: '2025-09-02T12:00:00.000Z',
  link: '/v1/provider/follow-ups?due=2025-09-02',
};

describe('addressedNotification', () => {
  it('handles every notification type of the contract, read from asyncapi (a type added there needs no change here)', () => {
    expect(NOTIFICATION_EVENT_TYPES).toEqual(
      expect.arrayContaining([
        'ca.on.passerelle.notification.referral-status-changed',
        'ca.on.passerelle.notification.follow-up-due',
        'ca.on.passerelle.support.duplicate-suspected',
      ]),
    );
    expect(NOTIFICATION_EVENT_TYPES).not.toContain('ca.on.passerelle.referral.routed');
  });

  it('fans out any notification type whose valid data names a recipient and a change', () => {
    expect(
      addressedNotification('ca.on.passerelle.notification.referral-status-changed', referralNotification),
    ).toEqual({
      kind: 'fan-out',
      notification: { recipient: 'eo:provider-7', change: 'routed', body: referralNotification },
    });
    expect(addressedNotification('ca.on.passerelle.notification.follow-up-due', followUpNotification)).toMatchObject({
      kind: 'fan-out',
      notification: { recipient: 'eo:provider-7', change: 'follow-up-due' },
    });
  });

  it('skips a type outside the contract, and one of another topic, naming it', () => {
    expect(addressedNotification('ca.on.passerelle.notification.made-up', referralNotification)).toEqual({
      kind: 'skip',
      reason: 'ca.on.passerelle.notification.made-up is not a notification type',
    });
    expect(addressedNotification('ca.on.passerelle.referral.routed', referralNotification)).toMatchObject({
      kind: 'skip',
    });
  });

  it('skips a notification type whose data names no change (a duplicate-support alert)', () => {
    const alert = {
      alertId: '1b2c3d4e-5f60-5a7b-8c9d-0e1f2a3b4c5d',
      recipient: 'ow:toronto',
      clientId: '8d7c6b5a-4e3f-5a2b-9c1d-0e9f8a7b6c5d',
      benefitType: 'transportation',
      supports: [
        { benefitId: '9e1a2b3c-4d5e-5f60-8a7b-1c2d3e4f5a6b', issuedBy: 'ow:toronto', periodStart: '2025-09-01' },
        { benefitId: 'a1b2c3d4-e5f6-5a7b-8c9d-0e1f2a3b4c5d', issuedBy: 'eo:provider-7', periodStart: '2025-09-05' },
      ],
      detectedAt: '2025-09-06T10:00:00.000Z',
    };
    expect(addressedNotification('ca.on.passerelle.support.duplicate-suspected', alert)).toEqual({
      kind: 'skip',
      reason: 'ca.on.passerelle.support.duplicate-suspected names no recipient and change',
    });
  });

  it("refuses data that breaks its type's schema, with the pointer", () => {
    const verdict = addressedNotification('ca.on.passerelle.notification.follow-up-due', {
      ...followUpNotification,
      change: 'routed',
    });
    expect(verdict).toMatchObject({ kind: 'invalid', reason: expect.stringContaining('/change') as string });
    expect(
      addressedNotification('ca.on.passerelle.notification.referral-status-changed', { recipient: 'ow:x' }),
    ).toMatchObject({ kind: 'invalid' });
  });
});

describe('subscriptionWants', () => {
  const routed: AddressedNotification = { recipient: 'eo:provider-7', change: 'routed', body: {} };

  it('gives a subscription without a filter every change of its organization', () => {
    expect(subscriptionWants({ org: 'eo:provider-7', changes: null }, routed)).toBe(true);
  });

  it('respects the changes filter', () => {
    expect(subscriptionWants({ org: 'eo:provider-7', changes: ['routed', 'cancelled'] }, routed)).toBe(true);
    expect(subscriptionWants({ org: 'eo:provider-7', changes: ['follow-up-due'] }, routed)).toBe(false);
  });

  it("gives another organization's subscription nothing, filter or not", () => {
    expect(subscriptionWants({ org: 'eo:provider-8', changes: null }, routed)).toBe(false);
    expect(subscriptionWants({ org: 'ow:toronto', changes: ['routed'] }, routed)).toBe(false);
  });
});
