import type { StoredConsent } from '../ledger/ledger-rows';
import { ANY_EO_PROVIDER, REFERRAL_PURPOSE, consentAllows } from './consent-check';

const base: StoredConsent = {
  consentId: 'c-1',
  clientId: 'client-1',
  purpose: REFERRAL_PURPOSE,
  recipients: ['ow:greater-sudbury', ANY_EO_PROVIDER],
  grantedAt: new Date('2025-09-15T17:55:00Z'),
  expiresOn: new Date('2026-09-14T00:00:00Z'),
  withdrawnAt: null,
};
const at = new Date('2025-10-01T12:00:00Z');

describe('consentAllows', () => {
  it('allows a referral to any EO provider under a valid eo:any consent', () => {
    expect(consentAllows(base, 'eo:provider-7', at)).toEqual({ allowed: true });
    expect(consentAllows(base, undefined, at)).toEqual({ allowed: true });
  });

  it('says why it refuses: missing, withdrawn (whenever), expired, other purpose, recipient not named', () => {
    expect(consentAllows(undefined, undefined, at)).toMatchObject({ allowed: false, code: 'CONSENT_MISSING' });
    expect(consentAllows({ ...base, withdrawnAt: new Date('2026-01-01T00:00:00Z') }, undefined, at)).toMatchObject({
      allowed: false,
      code: 'CONSENT_WITHDRAWN',
    });
    expect(consentAllows(base, undefined, new Date('2026-09-15T12:00:00Z'))).toMatchObject({
      allowed: false,
      code: 'CONSENT_EXPIRED',
    });
    expect(consentAllows(base, undefined, new Date('2026-09-14T20:00:00Z'))).toEqual({ allowed: true }); // through the whole last day
    expect(consentAllows({ ...base, purpose: 'outcome-follow-up' }, undefined, at)).toMatchObject({
      allowed: false,
      code: 'CONSENT_PURPOSE',
    });
    const named = { ...base, recipients: ['eo:provider-3'] };
    expect(consentAllows(named, 'eo:provider-3', at)).toEqual({ allowed: true });
    expect(consentAllows(named, 'eo:provider-7', at)).toMatchObject({ allowed: false, code: 'CONSENT_RECIPIENT' });
  });
});
