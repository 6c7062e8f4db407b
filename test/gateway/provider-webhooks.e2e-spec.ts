import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mintDevToken } from '@passerelle/auth';
import { verifyWebhook } from '@passerelle/client';
import type { components, FollowUpNotification, OwCaseRecord, ReferralNotification } from '@passerelle/contracts';
import { eoAdapterApp } from '../../apps/eo-adapter/src/eo-adapter.app';
import { owAdapterApp } from '../../apps/ow-adapter/src/ow-adapter.app';
import { referralTrackerApp } from '../../apps/referral-tracker/src/referral-tracker.app';
import { webhookDispatcherApp } from '../../apps/webhook-dispatcher/src/webhook-dispatcher.app';
import { providerRecordVersions, taggedReferral } from '../support/client-path';
import { useGatewayStack } from '../support/gateway-stack';
import { headersAsStrings, readRecordsUntil, testKafka, waitFor } from '../support/kafka';

type FollowUpPage = components['schemas']['ProviderFollowUpPage'];
type Notification = ReferralNotification | FollowUpNotification;

/** Where the Sudbury fixture's referrals go (catchment P3C). */
const SUDBURY_PROVIDER = 'eo:provider-7';
const OTHER_PROVIDER = 'eo:provider-8';

/**
 * Providers' webhooks over the real stack: a provider registers like a referrer does and is told,
 * signed, of each new referral routed to it (no personal data: a link to the inbox that has it),
 * of each one its referrer cancels, and of each outcome follow-up falling due; it lists the
 * follow-ups due through `GET /v1/provider/follow-ups`. Another provider gets and sees none of it.
 */
describe('provider webhooks and follow-ups over HTTP', () => {
  const stack = useGatewayStack('t_pwh', [owAdapterApp, eoAdapterApp, referralTrackerApp, webhookDispatcherApp], {
    WEBHOOK_POLL_MS: '100',
  });
  const { config, prefix } = stack;
  const http = stack.http;
  /** Every request each path of the receiver got, the body's bytes as received and when (ms). */
  let receiver: Server | undefined;
  const received: Array<{ path: string; headers: IncomingHttpHeaders; body: Buffer; at: number }> = [];
  let sudbury: string;
  let provider: string;
  let other: string;

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks), at: Date.now() });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver!.listen(0, '127.0.0.1', resolve));
    sudbury = await mintDevToken({ org: 'ow:greater-sudbury', scopes: ['referrals:write', 'referrals:read'] }, config);
    const scopes = ['provider:read', 'provider:write', 'webhooks:write', 'webhooks:read'];
    provider = await mintDevToken({ org: SUDBURY_PROVIDER, scopes }, config);
    other = await mintDevToken({ org: OTHER_PROVIDER, scopes }, config);
  });

  afterAll(async () => {
    receiver?.closeAllConnections();
    await new Promise((resolve) => receiver?.close(resolve));
  });

  const urlOf = (path: string) => `http://127.0.0.1:${(receiver!.address() as AddressInfo).port}${path}`;
  const get = (path: string, token: string) => http().get(path).set('authorization', `Bearer ${token}`);
  const post = (path: string, token: string, key: string, body: unknown) =>
    http()
      .post(path)
      .set('authorization', `Bearer ${token}`)
      .set('idempotency-key', key)
      .send(body as object);
  const register = async (token: string, key: string, body: object): Promise<{ id: string; secret: string }> =>
    (await post('/v1/webhooks', token, key, body).expect(201)).body as { id: string; secret: string };
  const referral = (tag: string, memberId: string): OwCaseRecord =>
    taggedReferral('ow-case-record/eloise-cote-tremblay-referral.json', tag, memberId);
  /** The signed webhook at `path` whose body satisfies `match`, verified as a receiver does (SDK). */
  const webhook = async (secret: string, path: string, what: string, match: (n: Notification) => boolean) => {
    const hook = await waitFor(
      () => received.find((r) => r.path === path && match(JSON.parse(r.body.toString('utf8')) as Notification)),
      60_000,
      what,
    );
    return { hook, notification: verifyWebhook(secret, hook.headers, hook.body).notification as Notification };
  };
  const routedTo = async (tag: string, memberId: string): Promise<string> => {
    const { referralId } = (await post('/v1/referrals', sudbury, `ref-${tag}`, referral(tag, memberId)).expect(202))
      .body as { referralId: string };
    return referralId;
  };
  /** When the tracker emitted the referral's `referral.routed` (its Kafka record's time, ms). */
  const routedAt = async (referralId: string): Promise<number> => {
    const isRouted = (r: { headers?: Parameters<typeof headersAsStrings>[0] }) => {
      const h = headersAsStrings(r.headers);
      return h.ce_type === 'ca.on.passerelle.referral.routed' && h.ce_subject === referralId;
    };
    const records = await readRecordsUntil(testKafka(), `${prefix}referrals.v1`, (rs) => rs.some(isRouted));
    return Number(records.find(isRouted)!.timestamp);
  };

  it('tells the provider of a new referral within a second, signed, with a link and no personal data', async () => {
    const hook = await register(provider, 'hook-all', { url: urlOf('/provider-7') });
    const decisionsOnly = await register(provider, 'hook-follow-ups', {
      url: urlOf('/provider-7-follow-ups'),
      changes: ['follow-up-due'],
    });
    await register(other, 'hook-other', { url: urlOf('/provider-8') });
    // Tenancy: each provider lists, reads and deletes only its own subscriptions.
    const listed = (await get('/v1/webhooks', other).expect(200)).body as { items: Array<{ id: string }> };
    expect(listed.items.map((s) => s.id)).not.toContain(hook.id);
    await get(`/v1/webhooks/${hook.id}`, other).expect(404);
    await http().delete(`/v1/webhooks/${hook.id}`).set('authorization', `Bearer ${other}`).expect(404);
    expect(((await get(`/v1/webhooks/${hook.id}`, provider).expect(200)).body as { id: string }).id).toBe(hook.id);

    const referralId = await routedTo('pwh-new', '204558231');
    const { hook: delivery, notification } = await webhook(
      hook.secret,
      '/provider-7',
      'the routed webhook',
      (n) => 'referralId' in n && n.referralId === referralId && n.change === 'routed',
    );
    expect(notification).toMatchObject({
      recipient: SUDBURY_PROVIDER,
      change: 'routed',
      provider: SUDBURY_PROVIDER,
      link: '/v1/provider/referrals',
    });
    expect(delivery.headers['ce-type']).toBe('ca.on.passerelle.notification.referral-status-changed');
    const latencyMs = delivery.at - (await routedAt(referralId));
    console.log(`routed notification delivered ${latencyMs} ms after the tracker emitted referral.routed`);
    expect(latencyMs).toBeLessThan(1000);
    // No personal data in what is POSTed; the link gives what the consent shares, to this provider only.
    expect(delivery.body.toString('utf8')).not.toMatch(/Éloïse|Côté|Tremblay|1991-04-27|204558231|P3C/);
    const inbox = (await get(notification.link!, provider).expect(200)).body as {
      items: Array<{ referralId: string; personal?: { name?: { givenName?: string } } }>;
    };
    expect(inbox.items.find((r) => r.referralId === referralId)?.personal?.name?.givenName).toBe('Éloïse');
    const otherInbox = (await get(notification.link!, other).expect(200)).body as {
      items: Array<{ referralId: string }>;
    };
    expect(otherInbox.items.map((r) => r.referralId)).not.toContain(referralId);
    // The follow-ups-only subscription was not sent the new referral.
    expect(received.filter((r) => r.path === '/provider-7-follow-ups')).toEqual([]);
    expect(decisionsOnly.id).not.toBe(hook.id);
  }, 120_000);

  it('tells the provider of a follow-up falling due, and lists the ones due for it alone', async () => {
    const hooks = (await get('/v1/webhooks', provider).expect(200)).body as {
      items: Array<{ id: string; url: string }>;
    };
    const followUpsOnly = hooks.items.find((h) => h.url.endsWith('/provider-7-follow-ups'))!;
    const referralId = await routedTo('pwh-job', '304558231');
    await waitFor(
      () => received.find((r) => r.path === '/provider-7' && r.body.toString('utf8').includes(referralId)),
      60_000,
      'the routed webhook of the second referral',
    );
    await post(`/v1/provider/referrals/${referralId}/accept`, provider, 'accept-job', {}).expect(202);
    // A job that started a year ago: its four follow-up timers are already due and fire at the next poll.
    const [v1, v2, v3] = providerRecordVersions({
      tag: '-pwh',
      providerId: SUDBURY_PROVIDER.slice('eo:'.length),
      referralId,
      samsMemberId: '304558231',
    });
    await post('/v1/provider/service-records', provider, 'records-v1-v2', { records: [v1, v2] }).expect(202);

    // The secret of the follow-ups-only subscription was shown once, at registration: replay it.
    const replay = await post('/v1/webhooks', provider, 'hook-follow-ups', {
      url: urlOf('/provider-7-follow-ups'),
      changes: ['follow-up-due'],
    }).expect(201);
    expect((replay.body as { id: string }).id).toBe(followUpsOnly.id);
    const { hook: delivery, notification } = await webhook(
      (replay.body as { secret: string }).secret,
      '/provider-7-follow-ups',
      'a follow-up-due webhook',
      (n) => n.change === 'follow-up-due' && n.referralId === referralId,
    );
    expect(delivery.headers['ce-type']).toBe('ca.on.passerelle.notification.follow-up-due');
    const due = notification as FollowUpNotification;
    expect(due).toMatchObject({
      recipient: SUDBURY_PROVIDER,
      referralId,
      link: `/v1/provider/follow-ups?due=${due.dueOn}`,
    });
    expect(delivery.body.toString('utf8')).not.toMatch(/Éloïse|Côté|304558231/);
    // Only follow-ups reached that subscription (its changes filter).
    for (const r of received.filter((x) => x.path === '/provider-7-follow-ups'))
      expect((JSON.parse(r.body.toString('utf8')) as Notification).change).toBe('follow-up-due');

    // The link lists it; four follow-ups of the job are due by today, none of them another provider's.
    const linked = (await get(due.link, provider).expect(200)).body as FollowUpPage;
    expect(linked.items).toContainEqual(
      expect.objectContaining({
        employmentSpellId: due.employmentSpellId,
        outcomeType: due.outcomeType,
        dueOn: due.dueOn,
      }),
    );
    const ofJob = (page: FollowUpPage) => page.items.filter((f) => f.employmentSpellId === due.employmentSpellId);
    const today = await waitFor(
      async () => {
        const page = (await get('/v1/provider/follow-ups', provider).expect(200)).body as FollowUpPage;
        return ofJob(page).length === 4 ? page : undefined;
      },
      30_000,
      'four follow-ups due',
    );
    expect(ofJob(today).map((f) => f.outcomeType)).toEqual([
      'ies-employed-1-month',
      'ies-employed-3-months',
      'ies-employed-6-months',
      'ies-employed-12-months',
    ]);
    expect(ofJob(today).every((f) => f.provider === SUDBURY_PROVIDER && f.referralId === referralId)).toBe(true);
    const firstDue = ofJob(today)[0].dueOn;
    expect(
      ofJob((await get(`/v1/provider/follow-ups?due=${firstDue}`, provider).expect(200)).body as FollowUpPage),
    ).toHaveLength(1);
    const paged = (await get('/v1/provider/follow-ups?limit=1', provider).expect(200)).body as FollowUpPage;
    expect(paged.items).toHaveLength(1);
    const second = (await get(`/v1/provider/follow-ups?limit=1&cursor=${paged.next!}`, provider).expect(200))
      .body as FollowUpPage;
    expect(second.items[0].outcomeType).not.toBe(paged.items[0].outcomeType);
    expect(((await get('/v1/provider/follow-ups', other).expect(200)).body as FollowUpPage).items).toEqual([]);

    // A bad `due` is a 400 naming the parameter.
    const bad = await get('/v1/provider/follow-ups?due=next-tuesday', provider).expect(400);
    expect(bad.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(bad.body).toMatchObject({ status: 400, errors: [expect.objectContaining({ pointer: '/due' })] });
    // A referrer has no follow-ups to list.
    await get('/v1/provider/follow-ups', sudbury).expect(403);

    // Answered (v3 reports the four milestones): none of the job's is due any more.
    await post('/v1/provider/service-records', provider, 'records-v3', v3).expect(202);
    await waitFor(
      async () => ofJob((await get('/v1/provider/follow-ups', provider).expect(200)).body as FollowUpPage).length === 0,
      60_000,
      'the answered follow-ups to leave the list',
    );
  }, 180_000);

  it('tells the provider of a cancellation by the referrer, and tells the other provider nothing', async () => {
    const hooks = (await get('/v1/webhooks', provider).expect(200)).body as { items: Array<{ url: string }> };
    expect(hooks.items).toHaveLength(2);
    const secret = (
      (await post('/v1/webhooks', provider, 'hook-all', { url: urlOf('/provider-7') }).expect(201)).body as {
        secret: string;
      }
    ).secret;
    const referralId = await routedTo('pwh-cancel', '404558231');
    await webhook(
      secret,
      '/provider-7',
      'the routed webhook',
      (n) => n.referralId === referralId && n.change === 'routed',
    );
    await post(`/v1/referrals/${referralId}/cancel`, sudbury, 'cancel', { reason: 'Client moved to Ottawa' }).expect(
      202,
    );
    const { hook, notification } = await webhook(
      secret,
      '/provider-7',
      'the cancelled webhook',
      (n) => n.referralId === referralId && n.change === 'cancelled',
    );
    expect(notification).toMatchObject({
      recipient: SUDBURY_PROVIDER,
      status: 'cancelled',
      link: '/v1/provider/referrals',
    });
    expect(hook.headers['passerelle-signature']).toMatch(/^v1=[0-9a-f]{64}$/);
    expect(received.filter((r) => r.path === '/provider-8')).toEqual([]);
  }, 120_000);
});
