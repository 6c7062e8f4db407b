import type { OpenApiDocument } from './openapi-document';
import { loadOpenApiDocument } from './openapi-document';
import { documentOperations, documentedScopes, operationAccess } from './openapi-access';

const document = loadOpenApiDocument();
const ORG_KINDS = ['ow', 'odsp', 'eo', 'ministry'];

describe('who may call each operation, as openapi.yaml declares it', () => {
  const access = operationAccess(document);
  const scopes = documentedScopes(document);

  it('lists every served operation, the webhook the gateway sends left out', () => {
    const served = documentOperations(document).filter((o) => !o.isWebhook);
    expect(access.map((a) => `${a.method} ${a.path}`)).toEqual(served.map((o) => `${o.method} ${o.path}`));
    expect(access.find((a) => a.operationId === 'submitReferral')).toEqual({
      method: 'POST',
      path: '/v1/referrals',
      operationId: 'submitReferral',
      isPublic: false,
      scopes: ['referrals:write'],
      orgKinds: ['ow'],
    });
    expect(access.find((a) => a.operationId === 'getLiveness')?.isPublic).toBe(true);
  });

  it('gives every protected operation declared scopes and organization kinds', () => {
    const wrong = access
      .filter((a) => !a.isPublic)
      .filter(
        (a) =>
          a.scopes.length === 0 ||
          a.scopes.some((s) => !(s in scopes)) ||
          a.orgKinds.length === 0 ||
          a.orgKinds.some((k) => !ORG_KINDS.includes(k)),
      );
    expect(wrong).toEqual([]);
    expect(access.filter((a) => a.isPublic && (a.scopes.length > 0 || a.orgKinds.length > 0))).toEqual([]);
  });

  it('describes every scope, and every scope is needed somewhere', () => {
    expect(Object.keys(scopes).length).toBeGreaterThanOrEqual(10);
    for (const [scope, description] of Object.entries(scopes)) {
      expect({ scope, described: description.length > 10 }).toEqual({ scope, described: true });
      expect({ scope, used: access.some((a) => a.scopes.includes(scope)) }).toEqual({ scope, used: true });
    }
  });

  it('refuses requirements it cannot read as one list of scopes', () => {
    const withSecurity = (security: unknown): OpenApiDocument =>
      ({
        ...document,
        paths: { '/x': { get: { operationId: 'x', security, responses: {} } } },
      }) as unknown as OpenApiDocument;
    expect(() => operationAccess(withSecurity([{ bearer: [] }, { other: [] }]))).toThrow(/one security requirement/);
    expect(() => operationAccess(withSecurity([{ apiKey: ['a'] }]))).toThrow(/bearer scheme alone/);
    expect(operationAccess(withSecurity([]))[0].isPublic).toBe(true);
  });
});
