import { schemaIdForPath, schemaRegistry } from '@passerelle/contracts';
import type { RecordedChange } from '../ledger/referral-timeline-read-model';
import { historyEntry, reasonLabel, reasonOf, referralHistory } from './referral-history';

const REFERRAL_ID = '5e0c2b7a-9d41-5f3e-a8b6-1c2d3e4f5a6b';

const change = (overrides: Partial<RecordedChange>): RecordedChange => ({
  fromStatus: 'requested',
  toStatus: 'requested',
  businessStatus: 'routed',
  actor: 'system',
  actorOrg: 'system:routing:catchment',
  reason: null,
  eventId: 'e-1',
  occurredAt: new Date('2025-09-15T18:22:05Z'),
  recordedAt: new Date('2025-09-15T18:22:05.412Z'),
  ...overrides,
});

describe('reasonOf: what the tracker stored as a reason, as one shape', () => {
  it.each([
    [null, undefined],
    ['text', undefined],
    [{}, undefined],
    [{ declineReason: 'no-capacity' }, { code: 'no-capacity' }],
    [
      { declineReason: 'no-capacity', text: 'full until May' },
      { code: 'no-capacity', text: 'full until May' },
    ],
    [
      { code: 'OVERDUE', text: 'not answered' },
      { code: 'OVERDUE', text: 'not answered' },
    ],
    [{ text: 'consent withdrawn' }, { text: 'consent withdrawn' }],
    [{ code: 7, text: 'x' }, { text: 'x' }],
  ])('%p → %p', (stored, expected) => {
    expect(reasonOf(stored)).toEqual(expected);
  });
});

describe('reasonLabel', () => {
  it('labels a decline reason and the gateway’s own codes in each language, and no code it does not know', () => {
    expect(reasonLabel('language-not-offered', 'en')).toBe('Service not offered in the requested language');
    expect(reasonLabel('language-not-offered', 'fr')).toBe('Service non offert dans la langue demandée');
    expect(reasonLabel('NO_PROVIDER_IN_CATCHMENT', 'en')).toBe("No provider with capacity serves the client's area");
    expect(reasonLabel('OVERDUE', 'fr')).toBe('Ni accepté ni refusé dans le délai de réponse');
    expect(reasonLabel('NOT_A_CODE', 'fr')).toBeUndefined();
  });
});

describe('historyEntry', () => {
  it('says who, when, from→to and why, with the labels of every code in the caller’s language', () => {
    const declined = change({
      toStatus: 'rejected',
      businessStatus: 'declined',
      actor: 'provider',
      actorOrg: 'eo:provider-7',
      reason: { declineReason: 'language-not-offered', text: 'Aucun conseiller francophone.' },
      eventId: 'ce-42',
    });
    expect(historyEntry(declined, 'fr')).toEqual({
      fromStatus: 'requested',
      toStatus: 'rejected',
      businessStatus: 'declined',
      actor: { kind: 'provider', org: 'eo:provider-7' },
      reason: { code: 'language-not-offered', text: 'Aucun conseiller francophone.' },
      occurredAt: '2025-09-15T18:22:05.000Z',
      recordedAt: '2025-09-15T18:22:05.412Z',
      eventId: 'ce-42',
      labels: {
        fromStatus: 'Demandé',
        toStatus: 'Refusé',
        businessStatus: 'Refusé',
        reason: 'Service non offert dans la langue demandée',
      },
    });
    expect(historyEntry(declined, 'en').labels).toEqual({
      fromStatus: 'Requested',
      toStatus: 'Rejected',
      businessStatus: 'Declined',
      reason: 'Service not offered in the requested language',
    });
  });

  it('has no from status on the submission; labels the gateway’s own code, and none no table holds', () => {
    const submitted = historyEntry(
      change({ fromStatus: null, businessStatus: 'created', actor: 'referrer', actorOrg: 'ow:toronto' }),
      'en',
    );
    expect(submitted).not.toHaveProperty('fromStatus');
    expect(submitted.labels).toEqual({ toStatus: 'Requested', businessStatus: 'Created' });
    const unroutable = historyEntry(change({ reason: { code: 'NO_POSTAL_CODE', text: 'no postal code' } }), 'fr');
    expect(unroutable.reason).toEqual({ code: 'NO_POSTAL_CODE', text: 'no postal code' });
    expect(unroutable.labels.reason).toBe('L’adresse du client n’a pas de code postal permettant l’aiguillage');
    const unknown = historyEntry(change({ reason: { code: 'SOMETHING_NEW', text: 'later code' } }), 'fr');
    expect(unknown.labels).not.toHaveProperty('reason');
  });

  it('reads an actor kind it does not know as the tracker’s own doing', () => {
    expect(historyEntry(change({ actor: 'robot' }), 'en').actor).toEqual({
      kind: 'system',
      org: 'system:routing:catchment',
    });
  });
});

describe('referralHistory', () => {
  it('keeps the order given and matches the ReferralHistory schema', () => {
    const history = referralHistory(
      REFERRAL_ID,
      [
        change({ fromStatus: null, businessStatus: 'created', actor: 'referrer', actorOrg: 'ow:toronto' }),
        change({}),
        change({ reason: { code: 'OVERDUE', text: 'not accepted or rejected within 10 Ontario business days' } }),
        change({
          toStatus: 'cancelled',
          businessStatus: 'fulfillment-cancelled',
          reason: { text: 'consent withdrawn' },
        }),
      ],
      'fr',
    );
    expect(history.items.map((e) => e.labels.businessStatus)).toEqual([
      'Créé',
      'Acheminé à un fournisseur',
      'Acheminé à un fournisseur',
      'Prestation annulée',
    ]);
    const schemaId = schemaIdForPath('api/referral-history.json');
    expect(schemaRegistry().validate(schemaId, history)).toEqual({ ok: true, value: history });
  });
});
