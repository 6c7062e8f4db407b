import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mintDevToken } from '@passerelle/auth';
import type { OwCaseRecord } from '@passerelle/contracts';
import { eoAdapterApp } from '../../apps/eo-adapter/src/eo-adapter.app';
import { owAdapterApp } from '../../apps/ow-adapter/src/ow-adapter.app';
import { referralTrackerApp } from '../../apps/referral-tracker/src/referral-tracker.app';
import { verifyWebhookSignature } from '../../apps/webhook-dispatcher/src/delivery/webhook-signature';
import { webhookDispatcherApp } from '../../apps/webhook-dispatcher/src/webhook-dispatcher.app';
import { providerRecordVersions, taggedReferral } from '../support/client-path';
import { useGatewayStack } from '../support/gateway-stack';
import { headersAsStrings, readRecordsUntil, testKafka, waitFor } from '../support/kafka';

/**
 * The closed loop driven only through HTTP: a referrer submits, the provider finds the referral in
 * its inbox, accepts it and reports the service as EO service records (plan, job start, follow-ups,
 * exit); the referrer follows every status by reading, by polling `updatedSince`, and by signed
 * webhooks to its own receiver.
 */
describe('provider service records over HTTP: POST /v1/provider/service-records', () => {
  const stack = useGatewayStack('t_svc', [owAdapterApp, eoAdapterApp, referralTrackerApp, webhookDispatcherApp]);
  const { config, prefix } = stack;
  let sudbury: string;
  /** The referrer's webhook receiver: every request it got, body as received. */
  let receiver: Server | undefined;
  const received: Array<{ headers: IncomingHttpHeaders; body: string }> = [];

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver!.listen(0, '127.0.0.1', resolve));
    sudbury = await mintDevToken(
      { org: 'ow:greater-sudbury', scopes: ['referrals:write', 'referrals:read', 'webhooks:write'] },
      config,
    );
  });

  afterAll(async () => {
    // The dispatcher keeps connections alive: end them, or the receiver keeps the worker running.
    receiver?.closeAllConnections();
    await new Promise((resolve) => receiver?.close(resolve));
  });

  const http = stack.http;
  const post = (path: string, token: string, key: string | undefined, body?: unknown) => {
    const req = http().post(path).set('authorization', `Bearer ${token}`);
    if (key !== undefined) void req.set('idempotency-key', key);
    return body === undefined ? req : req.send(body as object);
  };
  const referral = (tag: string, memberId: string): OwCaseRecord =>
    taggedReferral('ow-case-record/eloise-cote-tremblay-referral.json', tag, memberId);
  const readReferral = async (id: string) =>
    (await http().get(`/v1/referrals/${id}`).set('authorization', `Bearer ${sudbury}`).expect(200)).body;
  const statusReached = (id: string, status: string) =>
    waitFor(
      async () => {
        const r = await readReferral(id);
        return r.status === status ? r : undefined;
      },
      60_000,
      `referral ${id} ${status}`,
    );
  const routedReferral = async (
    tag: string,
    memberId: string,
  ): Promise<{ referralId: string; provider: string; token: string }> => {
    const res = await post('/v1/referrals', sudbury, `ref-${tag}`, referral(tag, memberId)).expect(202);
    const routed = await waitFor(
      async () => {
        const r = await readReferral(res.body.referralId);
        return r.businessStatus === 'routed' ? r : undefined;
      },
      60_000,
      'routed',
    );
    const token = await mintDevToken({ org: routed.provider, scopes: ['provider:read', 'provider:write'] }, config);
    return { referralId: res.body.referralId, provider: routed.provider, token };
  };
  const rawServiceRecords = async (): Promise<number> => {
    const admin = testKafka().admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(`${prefix}eo.service-records.v1`);
    await admin.disconnect();
    return offsets.reduce((sum, p) => sum + Number(p.high), 0);
  };

  it('takes a referral from submission to its exit through HTTP alone, every status visible to the referrer', async () => {
    const since = new Date().toISOString();
    const subscription = await post('/v1/webhooks', sudbury, 'hook', {
      url: `http://127.0.0.1:${(receiver!.address() as AddressInfo).port}/passerelle`,
    }).expect(201);
    const secret = subscription.body.secret as string;
    const { referralId, provider, token } = await routedReferral('loop', '104558231');
    const inbox = await http().get('/v1/provider/referrals').set('authorization', `Bearer ${token}`).expect(200);
    expect(inbox.body.items.map((r: { referralId: string }) => r.referralId)).toContain(referralId);

    await post(`/v1/provider/referrals/${referralId}/accept`, token, 'accept-loop').expect(202);
    await statusReached(referralId, 'accepted');

    // Each CaMS version is the whole record, so it repeats the answer already given through the
    // API (which ties the service to the referral); the tracker takes the repeat as applied.
    const [v1, v2, v3] = providerRecordVersions({
      tag: '-loop',
      providerId: provider.slice('eo:'.length),
      referralId,
      samsMemberId: '104558231',
    });
    const batch = await post('/v1/provider/service-records', token, 'records-v1-v2', { records: [v1, v2] }).expect(202);
    expect(batch.body.accepted).toBe(2);
    expect(batch.body.records.map((r: { recordVersion: number }) => r.recordVersion)).toEqual([1, 2]);
    await statusReached(referralId, 'in-progress');

    const single = await post('/v1/provider/service-records', token, 'records-v3', v3).expect(202);
    expect(single.body).toMatchObject({
      accepted: 1,
      records: [{ sourceRecordId: v3.sourceRecordId, recordVersion: 3 }],
    });
    const done = await statusReached(referralId, 'completed');
    expect(done.provider).toBe(provider);

    // Polling sees the same referral as changed since the start.
    const polled = await http()
      .get(`/v1/referrals?updatedSince=${encodeURIComponent(since)}`)
      .set('authorization', `Bearer ${sudbury}`)
      .expect(200);
    expect(polled.body.items.find((r: { referralId: string }) => r.referralId === referralId)).toMatchObject({
      status: 'completed',
    });

    // Every change went to the referrer's notifications, and the follow-ups became outcomes.
    const changes = ['routed', 'accepted', 'started', 'completed'];
    const notifications = await readRecordsUntil(
      testKafka(),
      `${prefix}notifications.v1`,
      (records) => {
        const seen = new Set(
          records
            .map((r) => JSON.parse(r.value!.toString()) as { referralId: string; change: string })
            .filter((n) => n.referralId === referralId)
            .map((n) => n.change),
        );
        return changes.every((c) => seen.has(c));
      },
      60_000,
    );
    expect(notifications.every((n) => !n.value!.toString().includes('Éloïse'))).toBe(true);

    // The referrer's receiver got every one of those changes, each signed with its secret.
    const hooks = await waitFor(
      () => {
        const mine = received
          .map((r) => ({ ...r, data: JSON.parse(r.body) as { referralId: string; change: string } }))
          .filter((r) => r.data.referralId === referralId);
        return changes.every((c) => mine.some((r) => r.data.change === c)) ? mine : undefined;
      },
      60_000,
      'every webhook',
    );
    for (const hook of hooks) {
      expect(
        verifyWebhookSignature({
          secret,
          timestamp: hook.headers['passerelle-timestamp'] as string,
          body: hook.body,
          signature: hook.headers['passerelle-signature'] as string,
        }),
      ).toBe(true);
      expect(
        verifyWebhookSignature({
          secret: `${secret}x`,
          timestamp: hook.headers['passerelle-timestamp'] as string,
          body: hook.body,
          signature: hook.headers['passerelle-signature'] as string,
        }),
      ).toBe(false);
      expect(hook.body).not.toContain('Éloïse');
    }
    const outcomes = await readRecordsUntil(
      testKafka(),
      `${prefix}outcomes.v1`,
      (records) =>
        records.filter((r) => headersAsStrings(r.headers).ce_type === 'ca.on.passerelle.outcome.recorded').length >= 4,
      60_000,
    );
    expect(outcomes.length).toBeGreaterThanOrEqual(4);
    const audited = await stack.database.db
      .selectFrom('audit_log')
      .select(['org', 'action', 'resource'])
      .where('org', '=', provider)
      .where('action', '=', 'write')
      .execute();
    expect(audited.map((a) => a.resource)).toEqual(
      expect.arrayContaining([`service-record/${provider.slice(3)}/${v1.sourceRecordId}`]),
    );
  }, 240_000);

  it('refuses records of another provider, answers to referrals not routed to the caller, unknown codes and bad fields, storing none', async () => {
    const { referralId, provider, token } = await routedReferral('refused', '104558299');
    const [record] = providerRecordVersions({ tag: '-refused', providerId: provider.slice('eo:'.length), referralId });
    const before = await rawServiceRecords();

    const otherProvider = await post('/v1/provider/service-records', token, 'r-1', {
      ...record,
      provider: { providerId: 'provider-999' },
    }).expect(400);
    expect(otherProvider.headers['content-type']).toContain('application/problem+json');
    expect(otherProvider.body.errors).toEqual([
      expect.objectContaining({ pointer: '/provider/providerId', code: 'other-provider' }),
    ]);

    // A referral routed elsewhere and one that does not exist look the same.
    const elsewhere = await post('/v1/provider/service-records', token, 'r-2', {
      ...record,
      referralResponse: { ...record.referralResponse!, referralId: crypto.randomUUID() },
    }).expect(400);
    expect(elsewhere.body.errors).toEqual([
      expect.objectContaining({ pointer: '/referralResponse/referralId', code: 'unknown-referral' }),
    ]);
    const otherOrg = await mintDevToken({ org: 'eo:provider-999', scopes: ['provider:write'] }, config);
    const notRouted = await post('/v1/provider/service-records', otherOrg, 'r-3', {
      ...record,
      provider: { providerId: 'provider-999' },
    }).expect(400);
    expect(notRouted.body.errors).toEqual([{ ...elsewhere.body.errors[0] }]);

    // In a batch, the pointer names the record; one bad record refuses them all.
    const unmapped = {
      ...record,
      recordVersion: 2,
      commonAssessment: { ...record.commonAssessment!, streamCode: 'Z' },
    };
    const badBatch = await post('/v1/provider/service-records', token, 'r-4', {
      records: [record, unmapped, { ...record, recordedAt: 'yesterday' }],
    }).expect(400);
    expect(badBatch.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(
      expect.arrayContaining(['/records/2/recordedAt']),
    );
    const onlyUnmapped = await post('/v1/provider/service-records', token, 'r-5', {
      records: [record, unmapped],
    }).expect(400);
    expect(onlyUnmapped.body.errors).toEqual([
      expect.objectContaining({ pointer: '/records/1/commonAssessment/streamCode', code: 'unmapped-code' }),
    ]);
    await post('/v1/provider/service-records', token, 'r-6', { records: [] }).expect(400);
    await post('/v1/provider/service-records', token, 'r-7', [record]).expect(400);
    await post('/v1/provider/service-records', token, undefined, record).expect(400);
    await post('/v1/provider/service-records', token, 'r-8')
      .set('content-type', 'text/plain')
      .send('not json')
      .expect(415);
    await post('/v1/provider/service-records', sudbury, 'r-9', record).expect(403);
    await http().post('/v1/provider/service-records').set('idempotency-key', 'r-10').send(record).expect(401);
    expect(await rawServiceRecords()).toBe(before);

    // The same key and body replay the first answer; the same record under another key is the same event.
    const first = await post('/v1/provider/service-records', token, 'r-11', record).expect(202);
    const replay = await post('/v1/provider/service-records', token, 'r-11', record).expect(202);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(first.body);
    const again = await post('/v1/provider/service-records', token, 'r-12', record).expect(202);
    expect(again.body.records[0].eventId).toBe(first.body.records[0].eventId);
  }, 180_000);
});
