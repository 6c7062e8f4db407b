import type { FollowUpDue, Referral } from '@passerelle/contracts';
import { canonicalEvent } from '@passerelle/messaging';
import {
  PROVIDER_INBOX_PATH,
  checkedEvent,
  followUpNotificationOf,
  notificationOf,
  providerNotificationOf,
  referralEvent,
} from './tracker-events';

const cause = { eventId: '5d2c1b0a-9f8e-5d7c-8b6a-5f4e3d2c1b0a', occurredAt: '2026-03-02T14:00:00.000Z' };
const referral: Referral = {
  referralId: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
  clientId: '0f8fad5b-d9cb-469f-a165-70867728950e',
  program: 'OW',
  source: { system: 'sams', recordId: 'TOR-CR-1', recordVersion: 1, entryId: 'TOR-REF-1' },
  referrer: 'ow:toronto',
  sourceReferralId: 'TOR-REF-1',
  pathway: 'caseworker',
  serviceWanted: 'employment-services',
  provider: 'eo:provider-7',
  consentId: 'c37136c6-3d79-54bb-89c9-be2ad2af2f34',
  status: 'requested',
  businessStatus: 'routed',
  requestedAt: '2026-03-02T13:00:00.000Z',
  updatedAt: '2026-03-02T14:00:00.000Z',
  personal: { name: { givenName: 'Éloïse', familyName: 'Côté' }, birthDate: '1991-04-27' },
} as Referral;

describe('providerNotificationOf', () => {
  it("tells the provider of a new referral with a link to its inbox and none of the client's personal data", () => {
    const event = referralEvent('routed', referral, cause);
    const note = providerNotificationOf('routed', event, 'system')!;
    expect(note.data).toMatchObject({ recipient: 'eo:provider-7', change: 'routed', link: PROVIDER_INBOX_PATH });
    expect(JSON.stringify(note.data)).not.toMatch(/Éloïse|Côté|1991-04-27|TOR-REF-1|TOR-CR-1/);
    expect(() => checkedEvent(note)).not.toThrow();
  });

  it("has its own deterministic id, apart from the referrer's notification of the same cause", () => {
    const event = referralEvent('routed', referral, cause);
    const toProvider = providerNotificationOf('routed', event, 'system')!;
    expect(providerNotificationOf('routed', referralEvent('routed', referral, cause), 'system')!.id).toBe(
      toProvider.id,
    );
    expect(toProvider.id).not.toBe(notificationOf('routed', event).id);
    expect(notificationOf('routed', event).data.recipient).toBe('ow:toronto');
  });

  it('tells of a cancellation by the referrer or the system, not of its own', () => {
    const cancelled: Referral = { ...referral, status: 'cancelled' };
    const event = referralEvent('cancelled', cancelled, cause);
    expect(providerNotificationOf('cancelled', event, 'referrer')?.data.change).toBe('cancelled');
    expect(providerNotificationOf('cancelled', event, 'system')?.data.recipient).toBe('eo:provider-7');
    expect(providerNotificationOf('cancelled', event, 'provider')).toBeUndefined();
  });

  it('tells of overdue, not of its own answers, and nothing for a referral routed nowhere', () => {
    const event = referralEvent('overdue', referral, cause);
    expect(providerNotificationOf('overdue', event, undefined, { code: 'OVERDUE' })?.data.reason).toEqual({
      code: 'OVERDUE',
    });
    expect(providerNotificationOf('accepted', referralEvent('accepted', referral, cause), 'provider')).toBeUndefined();
    const unrouted = { ...referral };
    delete unrouted.provider;
    expect(
      providerNotificationOf('cancelled', referralEvent('cancelled', unrouted, cause), 'referrer'),
    ).toBeUndefined();
  });
});

describe('followUpNotificationOf', () => {
  const due: FollowUpDue = {
    clientId: referral.clientId,
    referralId: referral.referralId,
    program: 'OW',
    source: { system: 'cams', recordId: 'EO-1', recordVersion: 1 },
    employmentSpellId: 'a3bb189e-8bf9-4888-9912-ace4e6543002',
    provider: 'eo:provider-7',
    outcomeType: 'ies-employed-3-months',
    jobStartDate: '2026-01-05',
    dueOn: '2026-04-06',
  };
  const event = canonicalEvent({
    type: 'ca.on.passerelle.outcome.follow-up-due',
    id: { sourceSystem: 'passerelle:referral-tracker', recordId: due.employmentSpellId, version: 3 },
    source: '/passerelle/referral-tracker',
    time: '2026-04-06T12:00:00.000Z',
    data: due,
  });

  it('addresses the provider, links to its follow-ups due that day, and derives its id from the follow-up', () => {
    const note = followUpNotificationOf(event);
    expect(note.type).toBe('ca.on.passerelle.notification.follow-up-due');
    expect(note.data).toEqual({
      notificationId: event.id,
      recipient: 'eo:provider-7',
      change: 'follow-up-due',
      clientId: due.clientId,
      referralId: due.referralId,
      employmentSpellId: due.employmentSpellId,
      outcomeType: 'ies-employed-3-months',
      dueOn: '2026-04-06',
      occurredAt: '2026-04-06T12:00:00.000Z',
      link: '/v1/provider/follow-ups?due=2026-04-06',
    });
    expect(followUpNotificationOf(event).id).toBe(note.id);
    expect(note.id).not.toBe(event.id);
    expect(() => checkedEvent(note)).not.toThrow();
  });
});
