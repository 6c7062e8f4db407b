import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mintDevToken } from '@passerelle/auth';
import { verifyWebhook } from '@passerelle/client';
import type { components } from '@passerelle/contracts';
import { eoAdapterApp } from '../../apps/eo-adapter/src/eo-adapter.app';
import { owAdapterApp } from '../../apps/ow-adapter/src/ow-adapter.app';
import { referralTrackerApp } from '../../apps/referral-tracker/src/referral-tracker.app';
import { webhookDispatcherApp } from '../../apps/webhook-dispatcher/src/webhook-dispatcher.app';
import { providerRecordVersions, taggedReferral } from '../support/client-path';
import { useGatewayStack } from '../support/gateway-stack';
import { waitFor } from '../support/kafka';

type ReferralStatus = components['schemas']['ReferralStatus'];
type ReferralOutcomes = components['schemas']['ReferralOutcomes'];

/**
 * An ODSP office's referral from its HTTP submission to the client's 12-month outcome, through the
 * real adapters, tracker and webhook dispatcher: the office polls the referral at each step and is
 * told of each change by a signed webhook; the provider works only through its own endpoints.
 */
describe('an ODSP referral over HTTP, from submission to its 12-month outcome', () => {
  const stack = useGatewayStack('t_odsp_loop', [owAdapterApp, referralTrackerApp, eoAdapterApp, webhookDispatcherApp], {
    WEBHOOK_POLL_MS: '100',
  });
  const { config } = stack;
  const http = stack.http;
  /** The office's webhook receiver: every request, with the body's bytes as received. */
  let receiver: Server | undefined;
  const received: Array<{ headers: IncomingHttpHeaders; body: Buffer }> = [];
  let office: string;

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
    office = await mintDevToken({ org: 'odsp:central', scopes }, config);
  });

  afterAll(async () => {
    receiver?.closeAllConnections();
    await new Promise((resolve) => receiver?.close(resolve));
  });

  const get = (path: string, token = office, language = 'en') =>
    http().get(path).set('authorization', `Bearer ${token}`).set('accept-language', language);
  const post = (path: string, token: string, key: string, body: unknown) =>
    http()
      .post(path)
      .set('authorization', `Bearer ${token}`)
      .set('idempotency-key', key)
      .send(body as object);
  /** Polls the referral as the office does, until `done` holds. */
  const polledUntil = (referralId: string, what: string, done: (r: ReferralStatus) => boolean) =>
    waitFor(
      async () => {
        const referral = (await get(`/v1/referrals/${referralId}`).expect(200)).body as ReferralStatus;
        return done(referral) ? referral : undefined;
      },
      60_000,
      `the ODSP referral ${what}`,
    );
  /** The signed webhook of one change of the referral, verified with the subscription's secret. */
  const webhookOf = async (secret: string, referralId: string, change: string) => {
    const hook = await waitFor(
      () =>
        received.find((r) => {
          const data = JSON.parse(r.body.toString('utf8')) as { referralId?: string; change?: string };
          return data.referralId === referralId && data.change === change;
        }),
      60_000,
      `the ${change} webhook`,
    );
    return verifyWebhook(secret, hook.headers, hook.body).notification;
  };

  it('is routed, accepted, started, followed up to 12 months and completed; the office sees each step', async () => {
    const url = `http://127.0.0.1:${(receiver!.address() as AddressInfo).port}/odsp-central`;
    const subscription = (await post('/v1/webhooks', office, 'hook', { url }).expect(201)).body as {
      secret: string;
    };

    // 1. The office submits its client's referral (program ODSP, its own source schema).
    const record = taggedReferral('odsp-employment-record/noah-tremblay-placements.json', 'loop', '207731499');
    const submitted = await post('/v1/odsp/referrals', office, 'submit', record).expect(202);
    const { referralId } = submitted.body as ReferralStatus;
    expect(submitted.body).toMatchObject({ referrer: 'odsp:central', status: 'requested' });

    // 2. Routed: by polling and by webhook.
    const routed = await polledUntil(referralId, 'routed', (r) => r.businessStatus === 'routed');
    expect(await webhookOf(subscription.secret, referralId, 'routed')).toMatchObject({
      recipient: 'odsp:central',
      businessStatus: 'routed',
      provider: routed.provider,
    });
    const provider = await mintDevToken({ org: routed.provider!, scopes: ['provider:read', 'provider:write'] }, config);

    // 3. The provider accepts it over HTTP.
    await post(`/v1/provider/referrals/${referralId}/accept`, provider, 'accept', {}).expect(202);
    await polledUntil(referralId, 'accepted', (r) => r.status === 'accepted');
    expect(await webhookOf(subscription.secret, referralId, 'accepted')).toMatchObject({ status: 'accepted' });

    // 4. Plan and a job that started a year ago: its 1, 3, 6 and 12-month follow-ups all fall due.
    const [v1, v2, v3] = providerRecordVersions({
      tag: '-odsp-loop',
      providerId: routed.provider!.slice('eo:'.length),
      referralId,
      odspMemberId: record.personal.memberId,
    });
    await post('/v1/provider/service-records', provider, 'records-v1-v2', { records: [v1, v2] }).expect(202);
    await polledUntil(referralId, 'in progress', (r) => r.status === 'in-progress');
    expect(await webhookOf(subscription.secret, referralId, 'started')).toMatchObject({ status: 'in-progress' });

    // 5. The follow-ups are answered and the client exits employed: completed, with its outcomes.
    await post('/v1/provider/service-records', provider, 'records-v3', v3).expect(202);
    await polledUntil(referralId, 'completed', (r) => r.status === 'completed');
    expect(await webhookOf(subscription.secret, referralId, 'completed')).toMatchObject({
      status: 'completed',
      businessStatus: 'fulfillment-completed',
    });
    const outcomes = await waitFor(
      async () => {
        const body = (await get(`/v1/referrals/${referralId}/outcomes`).expect(200)).body as ReferralOutcomes;
        return body.items.some((o) => o.outcomeType === 'ies-employed-12-months') ? body : undefined;
      },
      60_000,
      'the 12-month outcome',
    );
    const twelve = outcomes.items.find((o) => o.outcomeType === 'ies-employed-12-months')!;
    expect(twelve).toMatchObject({ program: 'ODSP', reportedBy: routed.provider });
    const french = (await get(`/v1/referrals/${referralId}/outcomes`, office, 'fr').expect(200))
      .body as ReferralOutcomes;
    expect(french.items.find((o) => o.outcomeType === 'ies-employed-12-months')!.labels.program).not.toBe(
      twelve.labels.program,
    );
    // Nothing about the person in what the office is told (it holds the record under its own ids).
    for (const r of received) expect(r.body.toString('utf8')).not.toMatch(/Noah|Tremblay|1993-06-18/);

    // 6. The history tells every step, oldest first, ending completed.
    const history = (await get(`/v1/referrals/${referralId}/history`).expect(200)).body as {
      items: Array<{ toStatus: string }>;
    };
    const statuses = history.items.map((e) => e.toStatus).filter((s, n, all) => s !== all[n - 1]);
    expect(statuses).toEqual(['requested', 'accepted', 'in-progress', 'completed']);
  }, 300_000);
});
