import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { TopicNames } from '@passerelle/messaging';
import { Pseudonymizer } from '../ministry/deidentify';
import { ReferralEventHandlers } from '../referral-tracker.module';
import { CatchmentRouter } from '../routing/catchment-router';
import { loadProviderDirectory } from '../routing/provider-directory';
import { OntarioBusinessCalendar } from '@passerelle/lifecycle';
import { OutcomeTracking } from './outcome-tracking';
import { ReferralTracking } from './referral-tracking';
import { TrackedEvents } from './tracked-events';

const names = new TopicNames('');
const events = new TrackedEvents(
  new ReferralTracking(new CatchmentRouter(loadProviderDirectory()), names, {
    calendar: OntarioBusinessCalendar.load(),
    responseBusinessDays: 5,
  }),
  new OutcomeTracking(names, new Pseudonymizer(randomBytes(32))),
);
const CLIENT = '0f8fad5b-d9cb-469f-a165-70867728950e';
const REFERRAL = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
const SPELL = 'a3bb189e-8bf9-4888-9912-ace4e6543002';
const keysOf = (type: string, data: object) => {
  const keys = events.types[type]!.keys(data as never);
  return Object.fromEntries(Object.entries(keys).map(([name, ids]) => [name, [...(ids as Iterable<string>)]]));
};

describe('TrackedEvents', () => {
  it('knows every type the handlers subscribe to, and no other', () => {
    const patterns = Object.getOwnPropertyNames(ReferralEventHandlers.prototype)
      .map(
        (name) =>
          Reflect.getMetadata(
            'microservices:pattern',
            (ReferralEventHandlers.prototype as unknown as Record<string, object>)[name],
          ) as string[] | undefined,
      )
      .filter((pattern): pattern is string[] => pattern !== undefined)
      .flat();
    expect(patterns.sort()).toEqual(Object.keys(events.types).sort());
  });

  it("asks for the referral an event names, or for all its client's referrals when it names none", () => {
    expect(
      keysOf('ca.on.passerelle.employment.started', {
        clientId: CLIENT,
        referralId: REFERRAL,
        employmentSpellId: SPELL,
      }),
    ).toMatchObject({
      referralIds: [REFERRAL],
      clientReferrals: [],
      spellIds: [SPELL],
      outcomeClients: [CLIENT],
    });
    expect(keysOf('ca.on.passerelle.outcome.recorded', { clientId: CLIENT })).toMatchObject({
      referralIds: [],
      clientReferrals: [CLIENT],
      spellIds: [],
      outcomeClients: [CLIENT],
    });
    expect(
      keysOf('ca.on.passerelle.referral.submitted', { clientId: CLIENT, referralId: REFERRAL, consentId: SPELL }),
    ).toMatchObject({
      referralIds: [REFERRAL],
      clientReferrals: [CLIENT],
      consentIds: [SPELL],
    });
    expect(keysOf('ca.on.passerelle.benefit.issued', { clientId: CLIENT, referralId: REFERRAL })).toMatchObject({
      referralIds: [],
      supportClients: [CLIENT],
    });
  });

  it('reads the keys of parked events of the four types that park, and refuses any other', () => {
    const cause = { eventId: 'e', occurredAt: '2025-09-15T10:00:00Z' };
    expect(
      events.keysOfParked({
        type: 'ca.on.passerelle.referral.response-recorded',
        data: { referralId: REFERRAL, clientId: CLIENT },
        cause,
      }),
    ).toMatchObject({ referralIds: [REFERRAL] });
    expect(() =>
      events.keysOfParked({ type: 'ca.on.passerelle.benefit.issued', data: { clientId: CLIENT }, cause }),
    ).toThrow(/no handler for parked/);
  });
});
