import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mintDevToken } from '@passerelle/auth';
import {
  createPasserelleClient,
  newIdempotencyKey,
  PasserelleProblem,
  verifyWebhook,
  WebhookVerificationError,
  type PasserelleClient,
} from '@passerelle/client';
import { eoAdapterApp } from '../../apps/eo-adapter/src/eo-adapter.app';
import { owAdapterApp } from '../../apps/ow-adapter/src/ow-adapter.app';
import { referralTrackerApp } from '../../apps/referral-tracker/src/referral-tracker.app';
import { webhookDispatcherApp } from '../../apps/webhook-dispatcher/src/webhook-dispatcher.app';
import { providerRecordVersions, readFixture } from '../support/client-path';
import { useGatewayStack } from '../support/gateway-stack';
import { waitFor } from '../support/kafka';

/**
 * The referral loop as an integrator builds it from the contract alone: every call goes through
 * `@passerelle/client` (openapi-fetch over the types generated from schemas/openapi.yaml), and the
 * webhook is checked with its `verifyWebhook`. Test helpers only mint tokens and build bodies.
 */
describe('the referral loop through the SDK only (@passerelle/client)', () => {
  const stack = useGatewayStack('t_sdk', [owAdapterApp, referralTrackerApp, eoAdapterApp, webhookDispatcherApp], {
    WEBHOOK_POLL_MS: '100',
  });
  /** The referrer's webhook receiver: every request, with the body's bytes as received. */
  let receiver: Server | undefined;
  const received: Array<{ headers: IncomingHttpHeaders; body: Buffer }> = [];
  let referrer: PasserelleClient;

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks) });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver!.listen(0, '127.0.0.1', resolve));
    const scopes = ['referrals:write', 'referrals:read', 'webhooks:write', 'webhooks:read'];
    const token = await mintDevToken({ org: 'ow:greater-sudbury', scopes }, stack.config);
    referrer = createPasserelleClient({ baseUrl: stack.base, token });
  });

  afterAll(async () => {
    // The dispatcher keeps connections alive: end them, or the receiver keeps the worker running.
    receiver?.closeAllConnections();
    await new Promise((resolve) => receiver?.close(resolve));
  });

  const referralStatus = (referralId: string) =>
    referrer.GET('/v1/referrals/{referralId}', { params: { path: { referralId } } }).then(({ data }) => data);
  const statusReached = (referralId: string, status: string) =>
    waitFor(
      async () => {
        const referral = await referralStatus(referralId);
        return referral.status === status ? referral : undefined;
      },
      60_000,
      `referral ${status}`,
    );

  it('submits, is routed, accepted and served, followed by polling and by a verified webhook', async () => {
    const since = new Date().toISOString();
    // 1. The referrer subscribes to its referrals' status changes.
    const { data: subscription } = await referrer.POST('/v1/webhooks', {
      body: { url: `http://127.0.0.1:${(receiver!.address() as AddressInfo).port}/passerelle` },
    });
    expect(subscription.secret).toMatch(/^whsec_/);

    // 2. It submits a referral; no Idempotency-Key given: the client makes one.
    const record = readFixture('ow-case-record/eloise-cote-tremblay-referral.json');
    // A referral carries its request and consents (optional in an OW record for bulk sync).
    const body = { ...record, referralRequest: record.referralRequest!, consents: record.consents! };
    const { data: submitted, response } = await referrer.POST('/v1/referrals', { body });
    expect(response.status).toBe(202);
    expect(submitted).toMatchObject({ status: 'requested', referrer: 'ow:greater-sudbury' });
    const { referralId } = submitted;

    // 3. The tracker routes it; the provider it went to finds it in its inbox and accepts it.
    const routed = await waitFor(
      async () => {
        const referral = await referralStatus(referralId);
        return referral.businessStatus === 'routed' ? referral : undefined;
      },
      60_000,
      'routed',
    );
    const providerOrg = routed.provider!;
    const providerToken = await mintDevToken(
      { org: providerOrg, scopes: ['provider:read', 'provider:write'] },
      stack.config,
    );
    const provider = createPasserelleClient({ baseUrl: stack.base, getToken: () => providerToken });
    const inboxEntry = await waitFor(
      async () => {
        const { data: inbox } = await provider.GET('/v1/provider/referrals', {
          params: { query: { status: 'requested' } },
        });
        return inbox.items.find((item) => item.referralId === referralId);
      },
      30_000,
      'the referral in the provider inbox',
    );
    expect(inboxEntry.referralId).toBe(referralId);
    // A retry with the caller's own key (say, after a timeout) replays the first answer.
    const key = newIdempotencyKey();
    const accept = (idempotencyKey?: string) =>
      provider.POST('/v1/provider/referrals/{referralId}/accept', {
        params: {
          path: { referralId },
          ...(idempotencyKey !== undefined && { header: { 'Idempotency-Key': idempotencyKey } }),
        },
      });
    const { data: decision } = await accept(key);
    expect(decision.referralId).toBe(referralId);
    expect((await accept(key)).data).toEqual(decision);

    // 4. The referrer polls until its referral shows the provider's answer.
    const accepted = await statusReached(referralId, 'accepted');
    expect(accepted.provider).toBe(providerOrg);
    // Accepting again, as a new request, is refused: the SDK throws the problem, typed.
    const refused = await accept().catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(PasserelleProblem);
    expect((refused as PasserelleProblem).status).toBe(409);

    // 5. The provider reports the service (plan, job start), then the exit, as EO service records.
    const [v1, v2, v3] = providerRecordVersions({
      tag: '-sdk',
      providerId: providerOrg.slice('eo:'.length),
      referralId,
      samsMemberId: record.personal.memberId,
    });
    const { data: batch } = await provider.POST('/v1/provider/service-records', { body: { records: [v1, v2] } });
    expect(batch.accepted).toBe(2);
    await statusReached(referralId, 'in-progress');
    await provider.POST('/v1/provider/service-records', { body: v3 });
    await statusReached(referralId, 'completed');
    const { data: changed } = await referrer.GET('/v1/referrals', { params: { query: { updatedSince: since } } });
    expect(changed.items.find((item) => item.referralId === referralId)?.status).toBe('completed');

    // 6. The webhook told the referrer of the acceptance, signed with its secret.
    const hook = await waitFor(
      () =>
        received.find((r) => {
          const data = JSON.parse(r.body.toString('utf8')) as { referralId: string; change: string };
          return data.referralId === referralId && data.change === 'accepted';
        }),
      60_000,
      'the accepted webhook',
    );
    const verified = verifyWebhook(subscription.secret!, hook.headers, hook.body);
    expect(verified.notification).toMatchObject({ referralId, change: 'accepted', status: 'accepted' });
    expect(verified.deliveryId).toMatch(/^[0-9a-f-]{36}$/);
    const tampered = Buffer.from(hook.body.toString('utf8').replace('"accepted"', '"rejected"'));
    expect(() => verifyWebhook(subscription.secret!, hook.headers, tampered)).toThrow(WebhookVerificationError);
    expect(() => verifyWebhook(`${subscription.secret!}x`, hook.headers, hook.body)).toThrow(WebhookVerificationError);
    // The delivery log says the same, read through the SDK too.
    const { data: log } = await referrer.GET('/v1/webhooks/{webhookId}/deliveries', {
      params: { path: { webhookId: subscription.id } },
    });
    expect(log.items.some((d) => d.deliveryId === verified.deliveryId)).toBe(true);
  }, 240_000);

  it('throws a typed problem for a referral the caller cannot see', async () => {
    const read = (referralId: string) =>
      referrer.GET('/v1/referrals/{referralId}', { params: { path: { referralId } } }).catch((error: unknown) => error);
    const missing = await read(randomUUID());
    expect(missing).toBeInstanceOf(PasserelleProblem);
    expect(missing).toMatchObject({ status: 404, instance: expect.any(String) });
  });
});
