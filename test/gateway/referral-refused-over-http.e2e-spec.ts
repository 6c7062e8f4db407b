import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mintDevToken } from '@passerelle/auth';
import type { OwCaseRecord, ReferralNotification } from '@passerelle/contracts';
import { owAdapterApp } from '../../apps/ow-adapter/src/ow-adapter.app';
import { referralTrackerApp } from '../../apps/referral-tracker/src/referral-tracker.app';
import { verifyWebhookSignature } from '../../apps/webhook-dispatcher/src/delivery/webhook-signature';
import { webhookDispatcherApp } from '../../apps/webhook-dispatcher/src/webhook-dispatcher.app';
import { taggedReferral } from '../support/client-path';
import { useGatewayStack } from '../support/gateway-stack';
import { headersAsStrings, readRecordsUntil, testKafka, waitFor } from '../support/kafka';
import { FAST_RETRIES } from '../support/suite-env';

interface Status {
  referralId: string;
  status: string;
  businessStatus: string;
  statusReason?: { declineReason?: string; text?: string; refusal?: { code: string; field?: string; message: string } };
  labels?: { businessStatus?: string };
}
interface HistoryEntry {
  fromStatus?: string;
  toStatus: string;
  businessStatus: string;
  actor: { kind: string; org: string };
  reason?: { code?: string; text?: string; field?: string };
}
interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * NACK after a 202 (issue 19): a referral the gateway accepted and then refused downstream is
 * reported back to its referrer on the real pipeline (gateway, ow-adapter, tracker, webhook
 * dispatcher, Kafka, PostgreSQL): `rejected` / `refused-by-gateway` with the coded reason and the
 * field, by `GET /v1/referrals/{id}`, its history, the list, and a signed webhook (`refused`). The
 * refused record still reaches the DLQ.
 */
describe('a referral refused after its 202 is reported to its referrer', () => {
  const SECRET_KEY = randomBytes(32).toString('hex');
  const stack = useGatewayStack('t_nack', [owAdapterApp, referralTrackerApp, webhookDispatcherApp], {
    ...FAST_RETRIES,
    WEBHOOK_POLL_MS: '100',
    WEBHOOK_SECRET_KEY: SECRET_KEY,
  });
  const { config, prefix } = stack;
  const http = stack.http;
  let sudbury: string;
  let secret: string;
  let receiver: Server;
  const received: Received[] = [];

  const referral = (tag: string, memberId: string): OwCaseRecord =>
    taggedReferral('ow-case-record/eloise-cote-tremblay-referral.json', tag, memberId);
  const read = async (id: string, language = 'en'): Promise<Status> =>
    (
      await http()
        .get(`/v1/referrals/${id}`)
        .set('authorization', `Bearer ${sudbury}`)
        .set('accept-language', language)
        .expect(200)
    ).body as Status;
  const submit = (record: OwCaseRecord) =>
    http()
      .post('/v1/referrals')
      .set('authorization', `Bearer ${sudbury}`)
      .set('idempotency-key', randomUUID())
      .send(record)
      .expect(202);
  const refusedOf = (id: string) =>
    waitFor(
      async () => {
        const r = await read(id);
        return r.status === 'rejected' ? r : undefined;
      },
      30_000,
      `referral ${id} rejected`,
    );
  const webhookOf = (referralId: string) =>
    waitFor(
      () => received.find((r) => (JSON.parse(r.body) as ReferralNotification).referralId === referralId),
      30_000,
      `webhook of ${referralId}`,
    );
  const historyOf = async (id: string): Promise<HistoryEntry[]> =>
    (await http().get(`/v1/referrals/${id}/history`).set('authorization', `Bearer ${sudbury}`).expect(200)).body
      .items as HistoryEntry[];

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    sudbury = await mintDevToken(
      { org: 'ow:greater-sudbury', scopes: ['referrals:write', 'referrals:read', 'webhooks:write', 'webhooks:read'] },
      config,
    );
    // Only refusals: the other changes of these referrals would not reach this receiver.
    const created = await http()
      .post('/v1/webhooks')
      .set('authorization', `Bearer ${sudbury}`)
      .set('idempotency-key', randomUUID())
      .send({ url: `${base}/refusals`, changes: ['refused'] })
      .expect(201);
    secret = (created.body as { secret: string }).secret;
  });

  afterAll(async () => {
    receiver.closeAllConnections();
    await new Promise((resolve) => receiver.close(resolve));
  });

  it('tells the referrer, by GET, history, list and signed webhook, when the adapter refuses the record (consent not in it)', async () => {
    const record = referral('nack-a', '204558301');
    record.referralRequest!.consentId = 'CON-NOT-IN-RECORD';
    const started = Date.now();
    const accepted = await submit(record);
    const referralId = accepted.body.referralId as string;
    expect(accepted.body).toMatchObject({ status: 'requested' });

    const refused = await refusedOf(referralId);
    const seenAfterMs = Date.now() - started;
    expect(refused).toMatchObject({
      status: 'rejected',
      businessStatus: 'refused-by-gateway',
      statusReason: {
        declineReason: 'other',
        refusal: { code: 'CONSENT_NOT_FOUND', field: '/referralRequest/consentId' },
      },
    });
    expect(refused.statusReason!.refusal!.message).toContain('CON-NOT-IN-RECORD');
    expect((await read(referralId, 'fr')).labels?.businessStatus).toBe(
      'Refusé par la passerelle après avoir été accepté pour traitement',
    );

    // The signed webhook, `refused`, with the code and the field; no personal data.
    const hook = await webhookOf(referralId);
    const deliveredAfterMs = Date.now() - started;
    expect(
      verifyWebhookSignature({
        secret,
        timestamp: hook.headers['passerelle-timestamp'] as string,
        body: hook.body,
        signature: hook.headers['passerelle-signature'] as string,
      }),
    ).toBe(true);
    const note = JSON.parse(hook.body) as ReferralNotification;
    expect(note).toMatchObject({
      recipient: 'ow:greater-sudbury',
      referralId,
      sourceReferralId: record.referralRequest!.referralId,
      change: 'refused',
      status: 'rejected',
      businessStatus: 'refused-by-gateway',
      reason: { code: 'CONSENT_NOT_FOUND', field: '/referralRequest/consentId' },
    });
    expect(hook.body).not.toContain(record.personal.memberId);
    expect(hook.body).not.toContain(record.personal.name.familyName);

    // The history: submitted by the referrer, refused by the gateway with the coded reason.
    const history = await historyOf(referralId);
    expect(history.map((h) => [h.fromStatus ?? null, h.toStatus, h.businessStatus, h.actor.kind])).toEqual([
      [null, 'requested', 'created', 'referrer'],
      ['requested', 'rejected', 'refused-by-gateway', 'system'],
    ]);
    expect(history[1].reason).toMatchObject({ code: 'CONSENT_NOT_FOUND', field: '/referralRequest/consentId' });

    // The list shows it rejected too.
    const list = await http()
      .get('/v1/referrals?status=rejected')
      .set('authorization', `Bearer ${sudbury}`)
      .expect(200);
    expect((list.body.items as Status[]).map((s) => s.referralId)).toContain(referralId);

    // The refused record is on the DLQ all the same, for operators to replay.
    const dlq = await readRecordsUntil(
      testKafka(),
      `${prefix}ow.case-records.v1.dlq`,
      (rs) => rs.some((r) => (r.value?.toString() ?? '').includes(record.sourceRecordId)),
      30_000,
    );
    const dead = dlq.find((r) => (r.value?.toString() ?? '').includes(record.sourceRecordId))!;
    expect(headersAsStrings(dead.headers).dlq_error_code).toBe('SOURCE_RECORD_REFUSED');
    console.log(`refused referral seen by GET after ${seenAfterMs} ms, webhook after ${deliveredAfterMs} ms`);
    expect(deliveredAfterMs).toBeLessThan(30_000);
  }, 90_000);

  it('never takes back a referral that moved on: a later refused version of its record is only written into its history', async () => {
    const record = referral('nack-c', '204558303');
    const referralId = (await submit(record)).body.referralId as string;
    const routed = await waitFor(
      async () => {
        const r = await read(referralId);
        return r.businessStatus === 'routed' ? (r as Status & { provider: string }) : undefined;
      },
      30_000,
      'routed',
    );
    const provider = await mintDevToken({ org: routed.provider, scopes: ['provider:read', 'provider:write'] }, config);
    await http()
      .post(`/v1/provider/referrals/${referralId}/accept`)
      .set('authorization', `Bearer ${provider}`)
      .set('idempotency-key', randomUUID())
      .expect(202);
    await waitFor(async () => ((await read(referralId)).status === 'accepted' ? true : undefined), 30_000, 'accepted');

    // The next version of the same record names a consent it does not hold: the adapter refuses it.
    const later = structuredClone(record);
    later.recordVersion += 1;
    later.referralRequest!.consentId = 'CON-NOT-IN-RECORD';
    await submit(later);
    const history = await waitFor(
      async () => {
        const entries = await historyOf(referralId);
        return entries.some((h) => h.reason?.code === 'CONSENT_NOT_FOUND') ? entries : undefined;
      },
      30_000,
      'the refusal in the history',
    );
    expect(history.at(-1)).toMatchObject({
      fromStatus: 'accepted',
      toStatus: 'accepted',
      businessStatus: 'accepted',
      actor: { kind: 'system', org: 'system:gateway' },
      reason: { code: 'CONSENT_NOT_FOUND', field: '/referralRequest/consentId' },
    });
    expect(await read(referralId)).toMatchObject({ status: 'accepted', businessStatus: 'accepted' });
    // No `refused` notification: proven once a marker's is out. The marker is the same client's (same
    // partition, applied after), and the outbox is relayed in order, so anything before it is out too.
    const marker = referral('nack-c2', '204558303');
    marker.referralRequest!.consentId = 'CON-NOT-IN-RECORD';
    const markerId = (await submit(marker)).body.referralId as string;
    const changesOf = (records: Array<{ value: Buffer | null }>, id: string) =>
      records
        .map((r) => JSON.parse(r.value?.toString() ?? '{}') as ReferralNotification)
        .filter((n) => n.referralId === id && n.recipient === 'ow:greater-sudbury')
        .map((n) => n.change);
    const notes = await readRecordsUntil(
      testKafka(),
      `${prefix}notifications.v1`,
      (rs) => changesOf(rs, markerId).includes('refused'),
      30_000,
    );
    // (`overdue` too: the fixture's 2025 referral is past its response deadline.)
    expect(changesOf(notes, referralId)).toContain('accepted');
    expect(changesOf(notes, referralId)).not.toContain('refused');
  }, 90_000);

  it('tells the referrer when the tracker refuses the referral (its consent is not for referrals)', async () => {
    const record = referral('nack-b', '204558302');
    record.consents = record.consents!.map((c) => ({ ...c, purposeCode: 'CORD' })); // case coordination
    const referralId = (await submit(record)).body.referralId as string;

    const refused = await refusedOf(referralId);
    expect(refused).toMatchObject({
      status: 'rejected',
      businessStatus: 'refused-by-gateway',
      statusReason: { refusal: { code: 'CONSENT_PURPOSE', field: '/referralRequest/consentId' } },
    });
    const note = JSON.parse((await webhookOf(referralId)).body) as ReferralNotification;
    expect(note).toMatchObject({ change: 'refused', reason: { code: 'CONSENT_PURPOSE' } });
    const history = await historyOf(referralId);
    expect(history.at(-1)).toMatchObject({
      fromStatus: 'requested',
      toStatus: 'rejected',
      actor: { kind: 'system', org: 'system:routing' },
      reason: { code: 'CONSENT_PURPOSE', field: '/referralRequest/consentId' },
    });
  }, 90_000);
});
