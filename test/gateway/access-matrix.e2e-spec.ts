import request from 'supertest';
import { mintDevToken } from '@passerelle/auth';
import { documentedScopes, loadOpenApiDocument, operationAccess } from '@passerelle/contracts';
import { owAdapterApp } from '../../apps/ow-adapter/src/ow-adapter.app';
import { referralTrackerApp } from '../../apps/referral-tracker/src/referral-tracker.app';
import { readFixture } from '../support/client-path';
import { endpointsOf, openApiPath, STRANGERS, ORG_KINDS, type Endpoint } from '../support/gateway-endpoints';
import { useGatewayStack } from '../support/gateway-stack';
import { waitFor } from '../support/kafka';

type OrgKind = (typeof ORG_KINDS)[number];
/** What the document says an operation requires: the scopes and kinds every check below uses. */
interface DocumentedRule {
  scopes: string[];
  orgKinds: OrgKind[];
}

const document = loadOpenApiDocument();
const documented = new Map(operationAccess(document).map((a) => [`${a.method} ${a.path}`, a]));

/** The rule openapi.yaml declares for an endpoint of the app (none: the endpoint is undocumented). */
function documentedRule(endpoint: Endpoint): DocumentedRule {
  const access = documented.get(`${endpoint.method} ${openApiPath(endpoint.path)}`);
  if (!access) throw new Error(`${endpoint.method} ${endpoint.path} is not in openapi.yaml`);
  const orgKinds = access.orgKinds.filter((k): k is OrgKind => (ORG_KINDS as readonly string[]).includes(k));
  return { scopes: access.scopes, orgKinds };
}

/** A 403 of the AuthGuard (scope or kind of organization), not of the operation itself. */
const refusedByGuard = (res: request.Response): boolean =>
  res.status === 401 ||
  (res.status === 403 &&
    (/\/(scope-missing|org-not-allowed)$/.test(String(res.body?.type)) ||
      /^(the token lacks the scope|this endpoint serves)/.test(String(res.body?.detail))));

/**
 * Every endpoint against every kind of caller, with the scopes and organization kinds openapi.yaml
 * declares (a client's only source): a wrong or missing scope in the document fails here.
 */
describe('access matrix: every endpoint × every kind of caller that must be refused', () => {
  const stack = useGatewayStack('t_acl', [owAdapterApp, referralTrackerApp]);
  const { config } = stack;
  let endpoints: Endpoint[];
  /** What must never appear in a refusal: the seeded referral's ids and personal data. */
  let secrets: string[];
  let params: Record<string, string>;

  beforeAll(async () => {
    const app = stack.app;
    const database = stack.database;
    endpoints = endpointsOf(app);

    // One routed referral of ow:greater-sudbury, through the real pipeline: the thing to protect.
    const sudbury = await mintDevToken(
      { org: 'ow:greater-sudbury', scopes: ['referrals:write', 'referrals:read'] },
      config,
    );
    const record = readFixture('ow-case-record/eloise-cote-tremblay-referral.json');
    const submitted = await stack
      .http()
      .post('/v1/referrals')
      .set('authorization', `Bearer ${sudbury}`)
      .set('idempotency-key', 'acl-seed')
      .send(record)
      .expect(202);
    const routed = await waitFor(
      async () => {
        const r = await stack
          .http()
          .get(`/v1/referrals/${submitted.body.referralId}`)
          .set('authorization', `Bearer ${sudbury}`);
        return r.body.businessStatus === 'routed' ? r.body : undefined;
      },
      60_000,
      'routed',
    );
    const row = await database.db
      .selectFrom('referral')
      .select(['client_id', 'consent_id'])
      .where('referral_id', '=', routed.referralId)
      .executeTakeFirstOrThrow();
    params = { referralId: routed.referralId, clientId: row.client_id };
    secrets = [
      routed.referralId,
      row.client_id,
      row.consent_id,
      record.personal.name.givenName,
      record.personal.name.familyName,
      record.personal.memberId,
      record.personal.birthDate,
    ];
  }, 180_000);

  const urlOf = (endpoint: Endpoint, values: Record<string, string> = params): string =>
    endpoint.path
      .replace(/\/:(\w+)/g, (_m, name: string) => `/${values[name] ?? crypto.randomUUID()}`)
      .replace(/::/g, ':');
  const call = (endpoint: Endpoint, authorization: string | undefined, url = urlOf(endpoint)) => {
    const method = endpoint.method.toLowerCase() as 'get' | 'post' | 'delete' | 'put' | 'patch';
    let req = stack.http()[method](url);
    if (authorization !== undefined) req = req.set('authorization', authorization);
    if (method === 'get' || method === 'delete') return req;
    return req.set('idempotency-key', `acl-${crypto.randomUUID()}`).send(bodyFor(endpoint));
  };
  /** A body the endpoint would accept from its rightful caller, so a refusal is about access only. */
  const bodyFor = (endpoint: Endpoint): object => {
    if (/\/(cancel|on-hold)$/.test(endpoint.path)) return { reason: 'moved away' };
    if (endpoint.path.endsWith('/decline')) return { declineReason: 'no-capacity' };
    if (endpoint.path.endsWith('/consent/withdraw')) return { consentId: secrets[2] };
    if (endpoint.path.endsWith('/conflicts/:conflictId/resolve')) return { resolution: 'keep-apart' };
    if (endpoint.path === '/v1/referrals') return readFixture('ow-case-record/eloise-cote-tremblay-referral.json');
    return {};
  };
  const refusedCleanly = (res: request.Response, status: number, what: string): void => {
    expect({ what, status: res.status }).toEqual({ what, status });
    expect({ what, type: res.headers['content-type'] }).toEqual({
      what,
      type: expect.stringContaining('application/problem+json'),
    });
    // `instance` echoes the URL the caller sent (it names the id itself); nothing else may name it.
    const { instance: _echoed, ...told } = res.body as { instance?: string };
    const text = JSON.stringify(told);
    for (const secret of secrets)
      expect({ what, leaked: text.includes(secret) ? secret : undefined }).toEqual({ what, leaked: undefined });
  };

  it('finds the same endpoints in the app and in openapi.yaml, public exactly where the document says', () => {
    const operations = [...documented.values()].map((a) => `${a.method} ${a.path} ${a.isPublic ? 'public' : 'token'}`);
    const served = endpoints.map((e) => `${e.method} ${openApiPath(e.path)} ${e.isPublic ? 'public' : 'token'}`);
    // Served but not documented: only the public assets of a documented public page (docs, dashboard).
    const pages = operations.filter((d) => d.startsWith('GET ') && d.endsWith(' public')).map((d) => d.split(' ')[1]);
    const asset = (s: string): boolean =>
      s.startsWith('GET ') && s.endsWith(' public') && pages.some((page) => s.split(' ')[1].startsWith(`${page}/`));
    expect(served.filter((s) => !operations.includes(s) && !asset(s))).toEqual([]);
    // Documented but not served: only operations the gateway calls rather than serves (webhooks).
    expect(operations.filter((d) => !served.includes(d)).filter((d) => !d.includes('webhook-receiver'))).toEqual([]);
    expect(endpoints.filter((e) => !e.isPublic && !e.rule)).toEqual([]);
    // What the document declares is what the decorators enforce (the checks below use the document).
    const sorted = (rule: DocumentedRule | Endpoint['rule']) => ({
      scopes: [...(rule?.scopes ?? [])].sort(),
      orgKinds: [...(rule?.orgKinds ?? [])].sort(),
    });
    for (const endpoint of endpoints.filter((e) => !e.isPublic)) {
      const what = `${endpoint.method} ${endpoint.path}`;
      expect({ what, ...sorted(documentedRule(endpoint)) }).toEqual({ what, ...sorted(endpoint.rule) });
    }
  });

  it('lets in a token minted from the document: each kind of organization it names, with the scopes it lists', async () => {
    for (const endpoint of endpoints.filter((e) => !e.isPublic)) {
      const rule = documentedRule(endpoint);
      expect(rule.scopes.length).toBeGreaterThan(0);
      for (const kind of rule.orgKinds) {
        const token = await mintDevToken({ org: STRANGERS[kind], scopes: rule.scopes }, config);
        const res = await call(endpoint, `Bearer ${token}`);
        const what = `${endpoint.method} ${endpoint.path} as ${kind} with ${rule.scopes.join(' ')}`;
        expect({ what, refused: refusedByGuard(res), status: res.status }).toEqual({
          what,
          refused: false,
          status: res.status,
        });
      }
    }
  }, 120_000);

  it('refuses every protected endpoint without a valid token: none, expired, wrong audience, wrong issuer, unsigned, garbage (401)', async () => {
    const org = 'ow:greater-sudbury';
    const scopes = Object.keys(documentedScopes(document));
    const expired = await mintDevToken({ org, scopes, ttlSeconds: -120 }, config);
    const wrongAudience = await mintDevToken({ org, scopes }, { ...config, audience: 'https://elsewhere.example' });
    const wrongIssuer = await mintDevToken({ org, scopes }, { ...config, issuer: 'https://issuer.example' });
    const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ org, scope: scopes.join(' '), iss: config.issuer, aud: config.audience, exp: Math.floor(Date.now() / 1000) + 600 })}.`;
    const cases: Record<string, string | undefined> = {
      none: undefined,
      expired: `Bearer ${expired}`,
      wrongAudience: `Bearer ${wrongAudience}`,
      wrongIssuer: `Bearer ${wrongIssuer}`,
      unsigned: `Bearer ${unsigned}`,
      garbage: 'Bearer not.a.jwt',
      basic: 'Basic dXNlcjpwYXNz',
    };
    for (const endpoint of endpoints.filter((e) => !e.isPublic)) {
      for (const [name, authorization] of Object.entries(cases)) {
        const res = await call(endpoint, authorization);
        refusedCleanly(res, 401, `${endpoint.method} ${endpoint.path} ${name}`);
        expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
      }
    }
  }, 120_000);

  it('refuses organizations of the wrong kind and tokens without the scope (403)', async () => {
    for (const endpoint of endpoints.filter((e) => !e.isPublic)) {
      const rule = documentedRule(endpoint);
      for (const kind of ORG_KINDS.filter((k) => !rule.orgKinds.includes(k))) {
        const token = await mintDevToken({ org: STRANGERS[kind], scopes: rule.scopes }, config);
        const res = await call(endpoint, `Bearer ${token}`);
        const what = `${endpoint.method} ${endpoint.path} as ${kind}`;
        refusedCleanly(res, 403, what);
        expect({ what, byGuard: refusedByGuard(res) }).toEqual({ what, byGuard: true });
      }
      for (const scope of rule.scopes) {
        const token = await mintDevToken(
          { org: STRANGERS[rule.orgKinds[0]], scopes: rule.scopes.filter((s) => s !== scope) },
          config,
        );
        const res = await call(endpoint, `Bearer ${token}`);
        const what = `${endpoint.method} ${endpoint.path} without ${scope}`;
        refusedCleanly(res, 403, what);
        expect({ what, byGuard: refusedByGuard(res) }).toEqual({ what, byGuard: true });
      }
    }
  }, 120_000);

  it("answers another organization's referral or client exactly like one that does not exist (404)", async () => {
    const owned = endpoints.filter((e) => !e.isPublic && /:(referralId|clientId)/.test(e.path));
    expect(owned.length).toBeGreaterThanOrEqual(5);
    for (const endpoint of owned) {
      const rule = documentedRule(endpoint);
      for (const kind of rule.orgKinds) {
        const token = `Bearer ${await mintDevToken({ org: STRANGERS[kind], scopes: rule.scopes }, config)}`;
        const theirs = await call(endpoint, token);
        const missing = await call(endpoint, token, urlOf(endpoint, {}));
        refusedCleanly(theirs, 404, `${endpoint.method} ${endpoint.path} as ${STRANGERS[kind]}`);
        expect({ ...theirs.body, instance: undefined }).toEqual({ ...missing.body, instance: undefined });
      }
    }
  }, 120_000);

  it("lists none of another organization's referrals", async () => {
    const lists = endpoints.filter(
      (e) => e.method === 'GET' && !e.isPublic && !e.path.includes(':') && /referrals|audit/.test(e.path),
    );
    expect(lists.length).toBeGreaterThanOrEqual(3);
    for (const endpoint of lists) {
      const rule = documentedRule(endpoint);
      for (const kind of rule.orgKinds) {
        const token = await mintDevToken({ org: STRANGERS[kind], scopes: rule.scopes }, config);
        const res = await call(endpoint, `Bearer ${token}`).expect(200);
        for (const secret of secrets)
          expect({ endpoint: endpoint.path, kind, leaked: res.text.includes(secret) ? secret : undefined }).toEqual({
            endpoint: endpoint.path,
            kind,
            leaked: undefined,
          });
      }
    }
  }, 60_000);
});
