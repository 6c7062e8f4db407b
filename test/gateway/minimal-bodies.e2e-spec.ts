import { randomUUID } from 'node:crypto';
import { mintDevToken } from '@passerelle/auth';
import {
  documentOperations,
  loadOpenApiDocument,
  operationAccess,
  type JsonObject,
  type JsonValue,
} from '@passerelle/contracts';
import { STRANGERS, ORG_KINDS } from '../support/gateway-endpoints';
import { useGatewayStack } from '../support/gateway-stack';
import { mappedCodes, minimalBodies, minimalRequests, type MinimalRequest } from '../support/minimal-body';

const isObject = (value: JsonValue | undefined): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The organization a body speaks for, where the document says it must be the caller's
 * (`deliveryAgent.code` of a referral, `office.code` of an ODSP one, `provider.providerId` of a service record): a token of
 * that organization, so the answer is about the body and not about whose it is.
 */
function ownerOf(body: JsonValue): string | undefined {
  if (!isObject(body)) return undefined;
  const record = Array.isArray(body.records) ? body.records[0] : body;
  if (!isObject(record)) return undefined;
  const agent = isObject(record.deliveryAgent) ? record.deliveryAgent.code : undefined;
  const provider = isObject(record.provider) ? record.provider.providerId : undefined;
  const office = isObject(record.office) ? record.office.code : undefined;
  if (typeof agent === 'string') return `ow:${agent}`;
  if (typeof office === 'string') return `odsp:${office}`;
  return typeof provider === 'string' ? `eo:${provider}` : undefined;
}

/**
 * A client that knows only openapi.yaml: for every operation with a JSON body, the minimal body
 * of its schema (required members only), a token with the scopes its security requirement lists,
 * its required parameters from their schemas. None may be refused for its shape (`400`); ids
 * made up for the path name nothing, so those operations answer `404`, a business refusal.
 */
describe('minimal bodies generated from openapi.yaml, sent to the gateway', () => {
  const stack = useGatewayStack('t_min', [], { RATE_LIMIT_PER_SECOND: '100000', RATE_LIMIT_BURST: '100000' });
  const document = loadOpenApiDocument();
  const access = new Map(operationAccess(document).map((a) => [a.operationId, a]));
  const requests = minimalRequests(document, documentOperations(document), mappedCodes);

  /** The operation's parameters `in` a place that it requires, each with a minimal value. */
  const required = (request: MinimalRequest, place: string): [string, string][] =>
    (Array.isArray(request.operation.parameters) ? request.operation.parameters : [])
      .filter(isObject)
      .filter((p) => p.in === place && p.required === true && typeof p.name === 'string' && isObject(p.schema))
      .map((p) => {
        const value = minimalBodies(document, p.schema as JsonObject, mappedCodes)[0];
        return [p.name as string, typeof value === 'string' ? value : JSON.stringify(value)];
      });

  const send = async (request: MinimalRequest, body: JsonValue, n: number) => {
    const rule = access.get(request.operationId);
    if (!rule) throw new Error(`${request.operationId} declares no access`);
    const kind = rule.orgKinds.find((k): k is (typeof ORG_KINDS)[number] => k in STRANGERS);
    const org = ownerOf(body) ?? (kind && STRANGERS[kind]);
    if (org === undefined) throw new Error(`${request.operationId}: no organization may call it`);
    const token = await mintDevToken({ org, scopes: rule.scopes }, stack.config);
    let url = request.path;
    for (const [name, value] of required(request, 'path')) url = url.replace(`{${name}}`, encodeURIComponent(value));
    let call = stack.http()[request.method.toLowerCase() as 'post'](url).set('authorization', `Bearer ${token}`);
    for (const [name, value] of required(request, 'header')) {
      // An idempotency key names one logical request: each body gets its own.
      call = call.set(name, name.toLowerCase() === 'idempotency-key' ? `${value}-${n}-${randomUUID()}` : value);
    }
    const res = await call.send(body as object);
    return { operation: `${request.operationId}#${n}`, status: res.status, problem: res.status >= 400 ? res.body : {} };
  };

  it('refuses none for its shape: each is taken, or refused for a business reason only', async () => {
    const results = [];
    for (const request of requests) {
      for (const [n, body] of request.bodies.entries()) results.push(await send(request, body, n));
    }
    expect(results.filter((r) => r.status === 400)).toEqual([]);
    expect(results.map((r) => `${r.operation} ${r.status}`).sort()).toEqual([
      'cancelProviderReferral#0 404', // no referral routed to the caller has this id
      'cancelReferral#0 404', // no such referral
      'declineReferral#0 404', // no referral routed to the caller has this id
      'holdReferral#0 404', // no referral routed to the caller has this id
      'recordServiceRecords#0 202',
      'recordServiceRecords#1 202',
      'registerWebhook#0 201',
      'resolveLinkConflict#0 404', // no link conflict of the caller has this id
      'submitOdspReferral#0 202',
      'submitReferral#0 202',
      'withdrawConsent#0 404', // no such consent of the client
    ]);
  }, 120_000);
});
