import { AuthError, AuthErrorCode } from '@passerelle/auth';
import { loadOpenApiDocument, schemaIdForPath, schemaRegistry } from '@passerelle/contracts';
import { LifecycleRefusal } from '@passerelle/lifecycle';
import { AlertErrorCode } from '../alerts/alert.error';
import { ClientLinkErrorCode } from '../clients/client-link.error';
import { ErasureErrorCode } from '../clients/erase-client.error';
import { ConsentErrorCode } from '../consents/consent.error';
import { IdempotencyErrorCode } from '../idempotency/idempotency.error';
import { PlatformErrorCode } from '../platform/platform.error';
import { ProviderErrorCode } from '../provider/provider.error';
import { ReferralErrorCode } from '../referrals/referral.error';
import { ReportError, ReportErrorCode } from '../reports/report.error';
import { WebhookErrorCode, webhookRefusal } from '../webhooks/webhook.error';
import { problemSlug } from './problem';
import { ProblemCatalogue } from './problem-catalogue';

/** Every module's problem codes: what the gateway can answer with. */
const MODULE_CODES: Record<string, string[]> = {
  auth: Object.values(AuthErrorCode),
  platform: Object.values(PlatformErrorCode),
  idempotency: Object.values(IdempotencyErrorCode),
  referrals: Object.values(ReferralErrorCode),
  lifecycle: Object.values(LifecycleRefusal),
  consents: Object.values(ConsentErrorCode),
  clients: Object.values(ClientLinkErrorCode),
  alerts: Object.values(AlertErrorCode),
  erasure: Object.values(ErasureErrorCode),
  provider: Object.values(ProviderErrorCode),
  webhooks: Object.values(WebhookErrorCode),
  reports: Object.values(ReportErrorCode),
};

describe('the problem catalogue (data/problem-catalogue.json)', () => {
  const catalogue = new ProblemCatalogue();
  const moduleCodes = [...new Set(Object.values(MODULE_CODES).flat())];

  it('has a page for every code a module answers with, and none for a code nobody uses', () => {
    expect([...catalogue.codes()].sort()).toEqual([...moduleCodes].sort());
  });

  it('says each one in English and French, and each page matches the ProblemType schema', () => {
    const schemaId = schemaIdForPath('api/problem-type.json');
    for (const language of ['en', 'fr'] as const) {
      for (const view of catalogue.all(language)) {
        expect(schemaRegistry().validate(schemaId, view)).toEqual({ ok: true, value: view });
      }
    }
    const english = catalogue.all('en');
    const french = catalogue.all('fr');
    // French is written out, not English left in place.
    french.forEach((view, n) => expect(view.description).not.toBe(english[n].description));
  });

  it('gives each code the status its module answers it with', () => {
    const statusOf = (code: string): number | undefined => catalogue.find(problemSlug(code), 'en')?.status;
    for (const code of Object.values(AuthErrorCode)) expect(statusOf(code)).toBe(new AuthError(code, 'x').status);
    for (const code of Object.values(ReportErrorCode)) expect(statusOf(code)).toBe(new ReportError(code, 'x').status);
    for (const code of Object.values(WebhookErrorCode))
      expect(statusOf(code)).toBe(webhookRefusal(code, 'x').getStatus());
    for (const code of Object.values(LifecycleRefusal)) expect(statusOf(code)).toBe(409);
  });

  it('is listed whole in the OpenAPI document, as the values of /v1/problems/{code}', () => {
    const paths = loadOpenApiDocument().paths as Record<
      string,
      { get: { parameters: Array<Record<string, unknown>> } }
    >;
    const parameter = paths['/v1/problems/{code}'].get.parameters.find((p) => p.name === 'code') as {
      schema: { enum: string[] };
    };
    expect(parameter.schema.enum).toEqual(catalogue.codes().map(problemSlug));
  });

  it('finds a page by the end of its type URI, and nothing for an unknown one', () => {
    expect(catalogue.find('scope-missing', 'fr')).toMatchObject({
      type: '/v1/problems/scope-missing',
      code: 'SCOPE_MISSING',
      status: 403,
      title: 'Portée manquante',
    });
    expect(catalogue.find('SCOPE_MISSING', 'en')).toBeUndefined();
    expect(catalogue.find('no-such-problem', 'en')).toBeUndefined();
  });
});
