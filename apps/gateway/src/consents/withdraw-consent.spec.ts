import type { Consent } from '@passerelle/contracts';
import { problemOf, recordingEventSender } from '../../../../test/support/gateway-use-cases';
import type { ClientErasure } from '../clients/erase-client';
import type { ConsentReadModel, RecordedConsent } from '../ledger/consent-read-model';
import { WithdrawConsent } from './withdraw-consent';

const CLIENT_ID = '7f9c2ba4-e88f-4c3a-b1a2-3d4e5f6a7b8c';
const CONSENT_ID = '3e1d2c4b-5a69-4788-9a0b-1c2d3e4f5a6b';
const consent = { consentId: CONSENT_ID, clientId: CLIENT_ID, purpose: 'referral' } as unknown as Consent;

/** The use case over a tracker that holds `recorded` for the referrer (none: it never referred under it). */
function withdrawConsent(recorded?: RecordedConsent) {
  const consents = { findOfReferrer: () => Promise.resolve(recorded) };
  const { events, sent } = recordingEventSender();
  const erased: string[][] = [];
  const erasure = { erase: (...args: string[]) => Promise.resolve(void erased.push(args)) };
  const useCase = new WithdrawConsent(
    consents as unknown as ConsentReadModel,
    events,
    erasure as unknown as ClientErasure,
  );
  return { useCase, sent, erased };
}

describe('WithdrawConsent', () => {
  it('sends the consent as the tracker holds it, with its withdrawal time, then erases the client', async () => {
    const { useCase, sent, erased } = withdrawConsent({ consent });
    const withdrawn = await useCase.execute('ow:toronto', CLIENT_ID, CONSENT_ID, 'key-1', 'caseworker-7');
    expect(erased).toEqual([['ow:toronto', 'caseworker-7', CLIENT_ID, 'consent-withdrawal']]);
    expect(withdrawn).toMatchObject({ clientId: CLIENT_ID, consentId: CONSENT_ID, eventId: 'event-1' });
    expect(sent[0]).toMatchObject({
      type: 'ca.on.passerelle.consent.withdrawn',
      subject: CONSENT_ID,
      data: { ...consent, withdrawnAt: withdrawn.withdrawnAt },
    });
  });

  it('is 404 for a consent the referrer did not refer under (or one the tracker dropped), 409 once withdrawn', async () => {
    const stranger = withdrawConsent();
    expect(await problemOf(stranger.useCase.execute('ow:ottawa', CLIENT_ID, CONSENT_ID, 'k'))).toEqual({
      status: 404,
      detail: 'no such consent for this client',
    });
    const dropped = withdrawConsent({});
    expect((await problemOf(dropped.useCase.execute('ow:toronto', CLIENT_ID, CONSENT_ID, 'k'))).status).toBe(404);
    const again = withdrawConsent({ consent, withdrawnAt: new Date('2026-01-05T10:00:00Z') });
    expect(await problemOf(again.useCase.execute('ow:toronto', CLIENT_ID, CONSENT_ID, 'k'))).toEqual({
      status: 409,
      detail: 'the consent was already withdrawn on 2026-01-05T10:00:00.000Z',
    });
    expect([...stranger.sent, ...dropped.sent, ...again.sent]).toHaveLength(0);
    expect([...stranger.erased, ...dropped.erased, ...again.erased]).toHaveLength(0);
  });
});
