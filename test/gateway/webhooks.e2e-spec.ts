import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { mintDevToken } from '@passerelle/auth';
import type { ReferralNotification } from '@passerelle/contracts';
import { EventPublisher, type CloudEvent } from '@passerelle/messaging';
import { startEventApp } from '@passerelle/runtime';
import { verifyWebhookSignature } from '../../apps/webhook-dispatcher/src/delivery/webhook-signature';
import { webhookDispatcherApp } from '../../apps/webhook-dispatcher/src/webhook-dispatcher.app';
import { useGatewayStack } from '../support/gateway-stack';
import { headersAsStrings, readRecords, testKafka, waitFor } from '../support/kafka';
import { FAST_RETRIES } from '../support/suite-env';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

interface DeliveryView {
  deliveryId: string;
  eventId: string;
  notificationId: string;
  state: string;
  attempts: Array<{
    attempt: number;
    statusCode?: number;
    error?: string;
    outcome: string;
    nextAttemptAt?: string;
    durationMs: number;
    attemptedAt: string;
  }>;
  nextAttemptAt?: string;
  completedAt?: string;
}

const ROOT = join(__dirname, '..', '..');
const NOTIFICATION_TYPE = 'ca.on.passerelle.notification.referral-status-changed';
const SECRET_KEY = randomBytes(32).toString('hex');

describe('status webhooks: /v1/webhooks and the webhook dispatcher', () => {
  // Quick retries and a short time limit, so failing receivers run out of attempts in seconds.
  const stack = useGatewayStack('t_wh', [webhookDispatcherApp], {
    ...FAST_RETRIES,
    WEBHOOK_RETRY_BASE_MS: '200',
    WEBHOOK_RETRY_MAX_MS: '400',
    WEBHOOK_MAX_ATTEMPTS: '3',
    WEBHOOK_TIMEOUT_MS: '700',
    WEBHOOK_POLL_MS: '100',
    // Signing secrets sealed in PostgreSQL, as in production (the dispatcher opens them).
    WEBHOOK_SECRET_KEY: SECRET_KEY,
  });
  const { config, env, prefix } = stack;
  const publisher = new EventPublisher(testKafka());

  // One local receiver; each path answers in its own way and every request is kept.
  let receiver: Server;
  let base: string;
  const received: Received[] = [];
  const behaviours: Record<string, (res: ServerResponse, calls: number) => void> = {
    '/ok': (res) => res.writeHead(204).end(),
    '/flaky': (res, calls) => res.writeHead(calls <= 2 ? 500 : 200).end('{"ok":true}'),
    '/down': (res) => res.writeHead(503).end('maintenance'),
    '/hang': () => undefined, // never answers
    '/slow': (res) => void setTimeout(() => res.writeHead(200).end(), 500),
  };

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const path = req.url ?? '';
        received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
        const behaviour = behaviours[path.replace(/\/[^/]*$/, '')] ?? behaviours['/ok'];
        behaviour(res, received.filter((r) => r.path === path).length);
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await publisher.disconnect();
    receiver.closeAllConnections();
    await new Promise((resolve) => receiver.close(resolve));
  });

  const http = stack.http;
  const tokenOf = (org: string, scopes = ['webhooks:write', 'webhooks:read']) => mintDevToken({ org, scopes }, config);
  /** `key` null: no Idempotency-Key header. */
  const register = (token: string, body: unknown, key: string | null = randomUUID()) => {
    const req = http().post('/v1/webhooks').set('authorization', `Bearer ${token}`);
    return key === null ? req.send(body as object) : req.set('idempotency-key', key).send(body as object);
  };
  const deliveries = async (token: string, id: string, query = ''): Promise<{ items: DeliveryView[]; next?: string }> =>
    (await http().get(`/v1/webhooks/${id}/deliveries${query}`).set('authorization', `Bearer ${token}`).expect(200))
      .body;

  const notification = (
    recipient: string,
    change: ReferralNotification['change'] = 'accepted',
    clientId: string = randomUUID(),
  ): CloudEvent<ReferralNotification> => {
    const referralId = randomUUID();
    const occurredAt = new Date().toISOString();
    return {
      specversion: '1.0',
      id: randomUUID(),
      source: '/passerelle/referral-tracker',
      type: NOTIFICATION_TYPE,
      time: occurredAt,
      subject: referralId,
      partitionkey: clientId,
      datacontenttype: 'application/json',
      data: {
        notificationId: randomUUID(),
        recipient,
        referralId,
        sourceReferralId: 'TOR-REF-2025-0412',
        clientId,
        change,
        status: change === 'rejected' ? 'rejected' : 'accepted',
        businessStatus: change === 'rejected' ? 'declined' : 'accepted',
        provider: 'eo:provider-301',
        occurredAt,
      },
    };
  };
  const publish = (...events: CloudEvent[]) => publisher.publish(`${prefix}notifications.v1`, events);
  const requestsTo = (path: string) => received.filter((r) => r.path === path);
  const signedBy = (secret: string, r: Received) =>
    verifyWebhookSignature({
      secret,
      timestamp: r.headers['passerelle-timestamp'] as string,
      body: r.body,
      signature: r.headers['passerelle-signature'] as string,
    });
  const settled = async (token: string, id: string, count: number): Promise<DeliveryView[]> =>
    waitFor(
      async () => {
        const page = await deliveries(token, id);
        return page.items.length === count && page.items.every((d) => d.state !== 'pending') ? page.items : undefined;
      },
      30_000,
      'deliveries settled',
    );
  /**
   * Proves the dispatcher got past everything queued so far, for checks that nothing more was
   * sent: it claims due deliveries oldest first and POSTs each before recording it, so once a
   * notification published now has been POSTed to its own subscription and recorded as delivered,
   * a duplicate or a further attempt of anything queued before it would have been claimed and sent.
   * `clientId`: the marker goes on that client's partition, behind the events already published
   * there (the fan-out handles a partition in order).
   */
  let markerSubscription: Promise<{ token: string; id: string }> | undefined;
  const dispatcherPassedMarker = async (clientId?: string): Promise<void> => {
    markerSubscription ??= (async () => {
      const token = await tokenOf('ow:wh-marker');
      const { body } = await register(token, { url: `${base}/ok/marker` }).expect(201);
      return { token, id: (body as { id: string }).id };
    })();
    const { token, id } = await markerSubscription;
    const marker = notification('ow:wh-marker', 'accepted', clientId);
    await publish(marker);
    await waitFor(
      async () =>
        (await deliveries(token, id)).items.some(
          (d) => d.notificationId === marker.data.notificationId && d.state === 'delivered',
        ) || undefined,
      30_000,
      'the marker notification delivered',
    );
  };

  it('registers a webhook and POSTs each notification for the organization once, signed, with the log showing the attempt', async () => {
    const token = await tokenOf('ow:wh-delivered');
    const created = await register(token, { url: `${base}/ok/delivered`, description: 'Caseworker inbox' }).expect(201);
    expect(created.body).toMatchObject({
      url: `${base}/ok/delivered`,
      description: 'Caseworker inbox',
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9_-]{43}$/),
    });
    expect(created.headers.location).toBe(`/v1/webhooks/${created.body.id}`);
    const { id, secret } = created.body as { id: string; secret: string };
    // Only decisions: the filter keeps `accepted` out of this one.
    const filtered = await register(token, { url: `${base}/ok/filtered`, changes: ['rejected'] }).expect(201);

    // Read back: never the secret.
    const listed = await http().get('/v1/webhooks').set('authorization', `Bearer ${token}`).expect(200);
    expect(listed.body.items.map((s: { id: string }) => s.id)).toEqual([id, filtered.body.id]);
    expect(JSON.stringify(listed.body)).not.toContain('whsec_');
    // Stored sealed (WEBHOOK_SECRET_KEY): the database holds nothing of the secret itself.
    const stored = await stack.database.db
      .selectFrom('webhook_subscription')
      .select('secret')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(stored.secret).toMatch(/^sealed:v1:/);
    expect(stored.secret).not.toContain(secret.slice('whsec_'.length, 20));
    const read = await http().get(created.headers.location).set('authorization', `Bearer ${token}`).expect(200);
    expect(read.body).toEqual({
      id,
      url: `${base}/ok/delivered`,
      description: 'Caseworker inbox',
      createdAt: created.body.createdAt,
    });

    const accepted = notification('ow:wh-delivered', 'accepted');
    // The same client's (same key, same partition): the dispatcher sees it after `accepted`, so
    // "newest first" below is deterministic. Across partitions the fan-out order is not.
    const rejected = notification('ow:wh-delivered', 'rejected', accepted.partitionkey);
    const elsewhere = notification('ow:wh-someone-else', 'accepted');
    // The same event twice (a redelivery): queued once.
    await publish(accepted, elsewhere, accepted);
    await publish(rejected);

    await waitFor(
      () => requestsTo('/ok/delivered').length >= 2 && requestsTo('/ok/filtered').length >= 1,
      30_000,
      'deliveries',
    );
    const items = await settled(token, id, 2);
    await dispatcherPassedMarker(accepted.data.clientId); // a duplicate, if there were one, is sent by then
    const got = requestsTo('/ok/delivered');
    expect(got).toHaveLength(2);
    expect(requestsTo('/ok/filtered')).toHaveLength(1);
    const first = got.find((r) => JSON.parse(r.body).notificationId === accepted.data.notificationId)!;
    expect(JSON.parse(first.body)).toEqual(accepted.data);
    expect(first.headers).toMatchObject({
      'content-type': 'application/json',
      'passerelle-attempt': '1',
      'ce-id': accepted.id,
      'ce-type': NOTIFICATION_TYPE,
      'ce-specversion': '1.0',
      'ce-subject': accepted.data.referralId,
    });
    expect(first.headers['passerelle-signature']).toMatch(/^v1=[0-9a-f]{64}$/);
    expect(signedBy(secret, first)).toBe(true);
    expect(signedBy(secret, { ...first, body: first.body.replace('accepted', 'rejected') })).toBe(false);
    expect(signedBy(`${secret}x`, first)).toBe(false);
    const filteredGot = requestsTo('/ok/filtered')[0];
    expect(JSON.parse(filteredGot.body).notificationId).toBe(rejected.data.notificationId);
    expect(signedBy(filtered.body.secret, filteredGot)).toBe(true);
    expect(signedBy(secret, filteredGot)).toBe(false); // a secret per subscription

    // The log: newest first, one attempt each, delivered with the receiver's status.
    expect(items.map((d) => d.notificationId)).toEqual([rejected.data.notificationId, accepted.data.notificationId]);
    const log = items[1];
    expect(log).toMatchObject({
      deliveryId: first.headers['passerelle-delivery-id'],
      eventId: accepted.id,
      state: 'delivered',
      completedAt: expect.any(String),
    });
    expect(log.attempts).toEqual([
      {
        attempt: 1,
        attemptedAt: expect.any(String),
        durationMs: expect.any(Number),
        statusCode: 204,
        outcome: 'delivered',
      },
    ]);
    // Cursor pages: one at a time, each delivery once.
    const page1 = await deliveries(token, id, '?limit=1');
    expect(page1.items.map((d) => d.deliveryId)).toEqual([items[0].deliveryId]);
    const page2 = await deliveries(token, id, `?limit=1&cursor=${page1.next}`);
    expect(page2.items.map((d) => d.deliveryId)).toEqual([items[1].deliveryId]);
    expect(page2.next).toBeUndefined();
    const badQuery = await http()
      .get(`/v1/webhooks/${id}/deliveries?limit=0&cursor=abc`)
      .set('authorization', `Bearer ${token}`)
      .expect(400);
    expect(badQuery.body.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual(['/cursor', '/limit']);
  }, 60_000);

  it('retries a receiver that answers 500 twice, then 200: three attempts with backoff, all signed, one delivery id', async () => {
    const token = await tokenOf('ow:wh-flaky');
    const { body: sub } = await register(token, { url: `${base}/flaky/1` }).expect(201);
    const event = notification('ow:wh-flaky');
    await publish(event);
    const [delivery] = await settled(token, sub.id, 1);
    expect(delivery.state).toBe('delivered');
    expect(delivery.attempts.map((a) => [a.attempt, a.statusCode, a.outcome])).toEqual([
      [1, 500, 'retry'],
      [2, 500, 'retry'],
      [3, 200, 'delivered'],
    ]);
    for (const retry of delivery.attempts.slice(0, 2))
      expect(Date.parse(retry.nextAttemptAt!)).toBeGreaterThan(Date.parse(retry.attemptedAt));
    const got = requestsTo('/flaky/1');
    expect(got.map((r) => r.headers['passerelle-attempt'])).toEqual(['1', '2', '3']);
    expect(new Set(got.map((r) => r.headers['passerelle-delivery-id']))).toEqual(new Set([delivery.deliveryId]));
    expect(got.every((r) => r.body === got[0].body && signedBy(sub.secret, r))).toBe(true);
    // Backoff: base 200 ms, doubling, at least half of it waited.
    expect(got[1].at - got[0].at).toBeGreaterThanOrEqual(90);
    expect(got[2].at - got[1].at).toBeGreaterThanOrEqual(190);
  }, 60_000);

  it('marks a delivery failed after the last attempt, for a receiver that never answers 2xx and one that never answers at all', async () => {
    const token = await tokenOf('odsp:wh-down');
    const { body: down } = await register(token, { url: `${base}/down/1` }).expect(201);
    const { body: hang } = await register(token, { url: `${base}/hang/1` }).expect(201);
    await publish(notification('odsp:wh-down'));
    const [failed] = await settled(token, down.id, 1);
    expect(failed.state).toBe('failed');
    expect(failed.attempts.map((a) => [a.statusCode, a.outcome])).toEqual([
      [503, 'retry'],
      [503, 'retry'],
      [503, 'failed'],
    ]);
    expect(failed.attempts[2].nextAttemptAt).toBeUndefined();
    expect(failed.nextAttemptAt).toBeUndefined();

    const [timedOut] = await settled(token, hang.id, 1);
    expect(timedOut.state).toBe('failed');
    expect(timedOut.attempts.map((a) => [a.error, a.outcome])).toEqual([
      ['timeout', 'retry'],
      ['timeout', 'retry'],
      ['timeout', 'failed'],
    ]);
    expect(timedOut.attempts.every((a) => a.statusCode === undefined && a.durationMs >= 600)).toBe(true);
    await dispatcherPassedMarker();
    expect(requestsTo('/down/1')).toHaveLength(3);
    expect(requestsTo('/hang/1')).toHaveLength(3);
  }, 60_000);

  it('keeps another organization out: its read, log and delete are 404 like a subscription that does not exist', async () => {
    const owner = await tokenOf('ow:wh-owner');
    const other = await tokenOf('ow:wh-other');
    const { body: sub } = await register(owner, { url: `${base}/ok/owned` }).expect(201);
    const missing = await http()
      .get(`/v1/webhooks/${randomUUID()}`)
      .set('authorization', `Bearer ${other}`)
      .expect(404);
    for (const path of [`/v1/webhooks/${sub.id}`, `/v1/webhooks/${sub.id}/deliveries`]) {
      const res = await http().get(path).set('authorization', `Bearer ${other}`).expect(404);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect({ ...res.body, instance: undefined }).toEqual({ ...missing.body, instance: undefined });
    }
    await http().delete(`/v1/webhooks/${sub.id}`).set('authorization', `Bearer ${other}`).expect(404);
    expect((await http().get('/v1/webhooks').set('authorization', `Bearer ${other}`).expect(200)).body.items).toEqual(
      [],
    );
    await http().get('/v1/webhooks/not-a-uuid').set('authorization', `Bearer ${owner}`).expect(404);
    // Still there for its owner; callers without the right scope or kind are refused.
    await http().get(`/v1/webhooks/${sub.id}`).set('authorization', `Bearer ${owner}`).expect(200);
    await http().get('/v1/webhooks').expect(401);
    // A provider holds webhooks of its own too (and sees none of a referrer's); the ministry none.
    expect(
      (
        await http()
          .get('/v1/webhooks')
          .set('authorization', `Bearer ${await tokenOf('eo:provider-301')}`)
          .expect(200)
      ).body.items,
    ).toEqual([]);
    await http()
      .get('/v1/webhooks')
      .set('authorization', `Bearer ${await tokenOf('ministry:mcss')}`)
      .expect(403);
    await register(await tokenOf('ow:wh-owner', ['webhooks:read']), { url: `${base}/ok/x` }).expect(403);
    await http()
      .delete(`/v1/webhooks/${sub.id}`)
      .set('authorization', `Bearer ${await tokenOf('ow:wh-owner', ['webhooks:read'])}`)
      .expect(403);
  }, 60_000);

  it('deletes a subscription: nothing more is sent, what was pending is cancelled, and it is gone for reads', async () => {
    const token = await tokenOf('ow:wh-deleted');
    const { body: sub } = await register(token, { url: `${base}/hang/deleted` }).expect(201);
    await publish(notification('ow:wh-deleted'));
    await waitFor(() => requestsTo('/hang/deleted').length >= 1, 30_000, 'first attempt');
    await http().delete(`/v1/webhooks/${sub.id}`).set('authorization', `Bearer ${token}`).expect(204);
    await http().delete(`/v1/webhooks/${sub.id}`).set('authorization', `Bearer ${token}`).expect(404);
    await http().get(`/v1/webhooks/${sub.id}`).set('authorization', `Bearer ${token}`).expect(404);
    await http().get(`/v1/webhooks/${sub.id}/deliveries`).set('authorization', `Bearer ${token}`).expect(404);
    // The attempt in flight times out and is logged, but the delivery stays cancelled.
    await waitFor(
      async () =>
        (await stack.database.db
          .selectFrom('webhook_attempt')
          .innerJoin('webhook_delivery', 'webhook_delivery.id', 'webhook_attempt.delivery_id')
          .select('webhook_attempt.error')
          .where('webhook_delivery.subscription_id', '=', sub.id)
          .executeTakeFirst()) ?? undefined,
      30_000,
      'the attempt in flight logged',
    );
    const rows = await stack.database.db
      .selectFrom('webhook_delivery')
      .select(['state'])
      .where('subscription_id', '=', sub.id)
      .execute();
    expect(rows).toEqual([{ state: 'cancelled' }]);
    expect(requestsTo('/hang/deleted')).toHaveLength(1);
    const stored = await stack.database.db
      .selectFrom('webhook_subscription')
      .select(['secret', 'deleted_at'])
      .where('id', '=', sub.id)
      .executeTakeFirstOrThrow();
    expect(stored.secret).toBeNull();
    expect(stored.deleted_at).not.toBeNull();
    // Later notifications are not queued for it: once the dispatcher's inbox has the event (one
    // transaction with the fan-out), whatever it queued is there.
    const later = notification('ow:wh-deleted');
    await publish(later);
    await waitFor(
      async () =>
        (await stack.database.db
          .selectFrom('inbox')
          .select('event_id')
          .where('event_id', '=', later.id)
          .executeTakeFirst()) ?? undefined,
      30_000,
      'the later notification handled',
    );
    expect(
      await stack.database.db
        .selectFrom('webhook_delivery')
        .select('id')
        .where('subscription_id', '=', sub.id)
        .execute(),
    ).toHaveLength(1);
  }, 60_000);

  it('refuses invalid bodies with a problem naming the field, and stores nothing', async () => {
    const token = await tokenOf('ow:wh-invalid');
    const refused = async (body: unknown, pointer: string, code?: string) => {
      const res = await register(token, body).expect(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body.errors).toEqual(
        expect.arrayContaining([expect.objectContaining({ pointer, ...(code !== undefined && { code }) })]),
      );
    };
    await refused({}, '/url', 'required');
    await refused({ url: 'https://intake.example/hook', changes: ['teleported'] }, '/changes/0', 'enum');
    await refused({ url: 'https://intake.example/hook', changes: [] }, '/changes', 'minItems');
    await refused({ url: 'https://intake.example/hook', secret: 'mine' }, '/secret', 'additionalProperties');
    await refused({ url: 'not a url' }, '/url');
    await refused({ url: 'http://intake.example/hook' }, '/url', 'https-required');
    await refused({ url: 'https://user:pw@intake.example/hook' }, '/url', 'credentials');
    await refused({ url: 'ftp://intake.example/hook' }, '/url', 'https-required');
    // Not into the network the gateway runs in: cloud metadata, private and unique-local ranges.
    await refused({ url: 'https://169.254.169.254/latest/meta-data/' }, '/url', 'address-not-allowed');
    await refused({ url: 'https://10.0.0.8/hook' }, '/url', 'address-not-allowed');
    await refused({ url: 'https://[fd00::8]/hook' }, '/url', 'address-not-allowed');
    const noKey = await register(token, { url: 'https://intake.example/hook' }, null).expect(400);
    expect(noKey.body.errors[0].code).toBe('idempotency-key');
    expect((await http().get('/v1/webhooks').set('authorization', `Bearer ${token}`).expect(200)).body.items).toEqual(
      [],
    );
  }, 60_000);

  it('replays the first answer, secret included, for the same key and body; another body with that key is 422', async () => {
    const token = await tokenOf('ow:wh-replay');
    const body = { url: 'https://intake.replay.example/hook', changes: ['accepted', 'rejected'] };
    const first = await register(token, body, 'wh-key-1').expect(201);
    const again = await register(token, body, 'wh-key-1').expect(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.headers.location).toBe(first.headers.location);
    await register(token, { ...body, changes: ['accepted'] }, 'wh-key-1').expect(422);
    const listed = await http().get('/v1/webhooks').set('authorization', `Bearer ${token}`).expect(200);
    expect(listed.body.items).toEqual([
      { id: first.body.id, url: body.url, changes: body.changes, createdAt: first.body.createdAt },
    ]);
    // The kept answer holds no copy of the secret; once the subscription is deleted, a replay shows none.
    const kept = await stack.database.db
      .selectFrom('idempotency_key')
      .select('response_body')
      .where('org', '=', 'ow:wh-replay')
      .execute();
    expect(kept).toHaveLength(1);
    expect(JSON.stringify(kept)).not.toContain('whsec_');
    await http().delete(`/v1/webhooks/${first.body.id}`).set('authorization', `Bearer ${token}`).expect(204);
    const afterDelete = await register(token, body, 'wh-key-1').expect(201);
    expect(afterDelete.body.secret).toBeUndefined();
    expect(afterDelete.body.id).toBe(first.body.id);
  }, 60_000);

  it('sends a notification event whose data breaks its schema to notifications.v1.dlq, and queues nothing', async () => {
    const token = await tokenOf('ow:wh-dlq');
    const { body: sub } = await register(token, { url: `${base}/ok/dlq` }).expect(201);
    const broken = notification('ow:wh-dlq');
    delete (broken.data as Partial<ReferralNotification>).change;
    await publish(broken);
    const [dead] = await readRecords(testKafka(), `${prefix}notifications.v1.dlq`, 1, 30_000);
    const headers = headersAsStrings(dead.headers);
    expect(headers.ce_id).toBe(broken.id);
    expect(headers.dlq_error_code).toBe('INVALID_EVENT');
    expect(headers.dlq_error).toContain('/change');
    expect((await deliveries(token, sub.id)).items).toEqual([]);
    expect(requestsTo('/ok/dlq')).toEqual([]);
  }, 60_000);
  it('shares the work between two dispatcher replicas without sending any delivery twice', async () => {
    const second = await startEventApp(webhookDispatcherApp, env);
    try {
      const token = await tokenOf('ow:wh-replicas');
      const { body: sub } = await register(token, { url: `${base}/ok/replicas` }).expect(201);
      const count = 200;
      const events = Array.from({ length: count }, () => notification('ow:wh-replicas'));
      const started = Date.now();
      await publish(...events);
      await waitFor(() => requestsTo('/ok/replicas').length >= count, 60_000, `${count} deliveries`);
      const elapsed = Date.now() - started;
      // A POST that missed the time limit is retried later than a marker published now: wait for
      // every delivery to be queued and settled first, then for the dispatcher to pass the marker.
      await waitFor(
        async () => {
          const { queued, pending } = await stack.database.db
            .selectFrom('webhook_delivery')
            .select(({ fn }) => [
              fn.countAll<string>().as('queued'),
              fn.countAll<string>().filterWhere('state', '=', 'pending').as('pending'),
            ])
            .where('subscription_id', '=', sub.id)
            .executeTakeFirstOrThrow();
          return (Number(queued) === count && Number(pending) === 0) || undefined;
        },
        30_000,
        'every delivery queued and settled',
      );
      await dispatcherPassedMarker();
      const got = requestsTo('/ok/replicas');
      expect(new Set(got.map((r) => r.headers['passerelle-delivery-id'])).size).toBe(count);
      expect(got.every((r) => signedBy(sub.secret, r))).toBe(true);
      // No attempt is ever sent twice (each is leased to one replica). On a loaded machine the
      // local receiver can miss the 700 ms time limit, and the retry that follows is a new attempt.
      const attempts = got.map(
        (r) => `${String(r.headers['passerelle-delivery-id'])}#${String(r.headers['passerelle-attempt'])}`,
      );
      expect(new Set(attempts).size).toBe(attempts.length);
      const states = await stack.database.db
        .selectFrom('webhook_delivery')
        .select(({ fn }) => ['state', fn.countAll<string>().as('n')])
        .where('subscription_id', '=', sub.id)
        .groupBy('state')
        .execute();
      expect(states).toEqual([{ state: 'delivered', n: String(count) }]);
      console.log(
        JSON.stringify({
          measure: 'webhook deliveries, 2 replicas, local receiver',
          count,
          elapsedMs: elapsed,
          perSecond: Math.round((count * 1000) / elapsed),
        }),
      );
    } finally {
      await second.close();
    }
  }, 120_000);

  // Last: it stops the suite's dispatcher.
  it('drains on shutdown: a POST in flight finishes and its attempt is recorded before the dispatcher stops', async () => {
    const token = await tokenOf('ow:wh-drain');
    const { body: sub } = await register(token, { url: `${base}/slow/drain` }).expect(201);
    await publish(notification('ow:wh-drain'));
    await waitFor(() => requestsTo('/slow/drain').length >= 1, 30_000, 'the POST in flight');
    await stack.eventApps[0].close();
    const rows = await stack.database.db
      .selectFrom('webhook_delivery')
      .select(['state', 'attempts'])
      .where('subscription_id', '=', sub.id)
      .execute();
    expect(rows).toEqual([{ state: 'delivered', attempts: 1 }]);
    const attempts = await stack.database.db
      .selectFrom('webhook_attempt')
      .innerJoin('webhook_delivery', 'webhook_delivery.id', 'webhook_attempt.delivery_id')
      .select(['status_code', 'outcome'])
      .where('subscription_id', '=', sub.id)
      .execute();
    expect(attempts).toEqual([{ status_code: 200, outcome: 'delivered' }]);
  }, 60_000);

  // After the drain: this dispatcher is the only one running.
  /**
   * A dispatcher started with `settings` (after the drain, the only one running) takes one
   * delivery to `url` of a new subscription of `org`: every attempt fails with `error`, and the
   * receiver gets nothing.
   */
  const refusedByDispatcher = async (
    settings: Record<string, string>,
    org: string,
    url: string,
    error: string,
  ): Promise<void> => {
    const dispatcher = await startEventApp(webhookDispatcherApp, { ...env, ...settings });
    try {
      const token = await tokenOf(org);
      const { body: sub } = await register(token, { url }).expect(201);
      await publish(notification(org));
      const [delivery] = await settled(token, sub.id, 1);
      expect(delivery.state).toBe('failed');
      expect(delivery.attempts.map((a) => a.error)).toEqual([error, error, error]);
      expect(requestsTo(new URL(url).pathname)).toEqual([]);
    } finally {
      await dispatcher.close();
    }
  };

  it('connects only to addresses WEBHOOK_ADDRESSES allows: a host name resolving to loopback gets nothing in production', async () => {
    // Accepted at registration (a host name is not resolved there), refused at each attempt.
    await refusedByDispatcher(
      { WEBHOOK_ADDRESSES: 'public' },
      'ow:wh-inside',
      `http://localhost:${new URL(base).port}/ok/inside`,
      'ADDRESS_NOT_ALLOWED',
    );
  }, 60_000);

  it('signs nothing with a secret that does not open: a dispatcher with another key records SECRET_CANNOT_OPEN and sends nothing', async () => {
    await refusedByDispatcher(
      { WEBHOOK_SECRET_KEY: randomBytes(32).toString('hex') },
      'ow:wh-wrong-key',
      `${base}/ok/wrong-key`,
      'SECRET_CANNOT_OPEN',
    );
  }, 60_000);

  it('signs nothing without the key: a dispatcher with no WEBHOOK_SECRET_KEY records SECRET_KEY_MISSING and sends nothing', async () => {
    await refusedByDispatcher({ WEBHOOK_SECRET_KEY: '' }, 'ow:wh-no-key', `${base}/ok/no-key`, 'SECRET_KEY_MISSING');
  }, 60_000);

  it('keeps delivering across a key rotation: a dispatcher with a new key and the old one in WEBHOOK_SECRET_PREVIOUS_KEYS signs with a secret the old key sealed', async () => {
    const dispatcher = await startEventApp(webhookDispatcherApp, {
      ...env,
      WEBHOOK_SECRET_KEY: randomBytes(32).toString('hex'),
      WEBHOOK_SECRET_PREVIOUS_KEYS: SECRET_KEY,
    });
    try {
      const token = await tokenOf('ow:wh-rotated');
      const { body: sub } = await register(token, { url: `${base}/ok/rotated` }).expect(201);
      await publish(notification('ow:wh-rotated'));
      const [delivery] = await settled(token, sub.id, 1);
      expect(delivery.state).toBe('delivered');
      const [got] = requestsTo('/ok/rotated');
      expect(signedBy(sub.secret, got)).toBe(true);
    } finally {
      await dispatcher.close();
    }
  }, 60_000);

  it('refuses to start with previous keys but no current one, which would leave new secrets in clear', async () => {
    // Its own process: Nest ends the process on a failed start.
    const child = spawn(
      process.execPath,
      ['-r', join(ROOT, 'scripts', 'register-ts.cjs'), join(ROOT, 'apps', 'webhook-dispatcher', 'src', 'main.ts')],
      {
        cwd: ROOT,
        env: { ...process.env, ...env, WEBHOOK_SECRET_KEY: '', WEBHOOK_SECRET_PREVIOUS_KEYS: SECRET_KEY },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(out).toContain('previous secret keys need a current key');
  }, 60_000);
});
