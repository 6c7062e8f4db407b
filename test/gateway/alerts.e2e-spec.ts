import { mintDevToken } from '@passerelle/auth';
import type { EoServiceRecord, components } from '@passerelle/contracts';
import { eoAdapterApp } from '../../apps/eo-adapter/src/eo-adapter.app';
import { owAdapterApp } from '../../apps/ow-adapter/src/ow-adapter.app';
import { referralTrackerApp } from '../../apps/referral-tracker/src/referral-tracker.app';
import { providerRecordVersions, taggedReferral } from '../support/client-path';
import { useGatewayStack } from '../support/gateway-stack';
import { headersAsStrings, readRecordsUntil, testKafka, waitFor } from '../support/kafka';

type AlertPage = components['schemas']['AlertPage'];

/**
 * Alerts for the referrer's caseworker on the real pipeline (gateway, adapters, tracker, Kafka,
 * PostgreSQL): a support issued by both OW and the EO provider for overlapping periods, and a
 * no-show the provider records, each read over `GET /v1/alerts` by the referrer alone.
 */
describe('alerts: GET /v1/alerts (duplicate supports, no-shows)', () => {
  const stack = useGatewayStack('t_alerts', [owAdapterApp, eoAdapterApp, referralTrackerApp]);
  const { config } = stack;
  let sudbury: string;
  let toronto: string;
  let provider: string;
  let referralId = '';

  const get = (path: string, token = sudbury, language = 'en') =>
    stack.http().get(path).set('authorization', `Bearer ${token}`).set('accept-language', language);
  const post = (path: string, token: string, key: string, body?: unknown) =>
    stack
      .http()
      .post(path)
      .set('authorization', `Bearer ${token}`)
      .set('idempotency-key', key)
      .send(body as object);
  const alertsUntil = (path: string, done: (page: AlertPage) => boolean, what: string) =>
    waitFor(
      async () => {
        const page = (await get(path).expect(200)).body as AlertPage;
        return done(page) ? page : undefined;
      },
      60_000,
      what,
    );

  beforeAll(async () => {
    sudbury = await mintDevToken(
      { org: 'ow:greater-sudbury', scopes: ['referrals:write', 'referrals:read', 'audit:read'] },
      config,
    );
    toronto = await mintDevToken({ org: 'ow:toronto', scopes: ['referrals:read', 'referrals:write'] }, config);
    const record = taggedReferral('ow-case-record/eloise-cote-tremblay-referral.json', 'alr', '104558241');
    const submitted = await post('/v1/referrals', sudbury, 'alr-submit', record).expect(202);
    const routed = await waitFor(
      async () => {
        const r = (await get(`/v1/referrals/${submitted.body.referralId}`).expect(200)).body;
        return r.businessStatus === 'routed' ? (r as { referralId: string; provider: string }) : undefined;
      },
      60_000,
      'routed',
    );
    referralId = routed.referralId;
    provider = await mintDevToken({ org: routed.provider, scopes: ['provider:read', 'provider:write'] }, config);
    const [v1] = providerRecordVersions({
      tag: '-alr',
      providerId: routed.provider.slice('eo:'.length),
      referralId,
      samsMemberId: '104558241',
    });
    // The EO work-clothing support overlaps the one OW issued on 2025-08-25.
    const overlapping: EoServiceRecord = {
      ...v1,
      benefitsIssued: v1.benefitsIssued!.map((b) =>
        b.benefitTypeCode === 'FS-CLO' ? { ...b, periodStart: '2025-08-20', periodEnd: '2025-08-31' } : b,
      ),
    };
    await post('/v1/provider/service-records', provider, 'alr-v1', overlapping).expect(202);
  }, 180_000);

  it('shows the duplicate support to the referrer, labelled in its language, without personal data', async () => {
    const page = await alertsUntil(
      '/v1/alerts',
      (p) => p.items.some((a) => a.kind === 'duplicate-support'),
      'duplicate-support alert',
    );
    const alert = page.items.find((a) => a.kind === 'duplicate-support')!;
    expect(alert).toMatchObject({
      kind: 'duplicate-support',
      referralId,
      details: {
        benefitType: 'work-clothing',
        supports: [{ issuedBy: 'ow:greater-sudbury' }, { issuedBy: expect.stringMatching(/^eo:/) }],
      },
      labels: { kind: 'Same support issued by OW or ODSP and by an EO provider', benefitType: expect.any(String) },
    });
    const french = (await get('/v1/alerts?kind=duplicate-support', sudbury, 'fr').expect(200)).body as AlertPage;
    expect(french.items.map((a) => a.labels.kind)).toEqual([
      'Même soutien versé par OT ou le POSPH et par un fournisseur d’EO',
    ]);
    expect(JSON.stringify(page)).not.toMatch(/Éloïse|Côté|104558241/);
  });

  it('shows the no-show of the provider record, then one it records over HTTP, newest first', async () => {
    // The record's scheduled event EV-102 was unattended (attendance NS).
    const recorded = await alertsUntil('/v1/alerts?kind=no-show', (p) => p.items.length > 0, 'no-show of the record');
    expect(recorded.items).toEqual([
      expect.objectContaining({
        referralId,
        details: {
          provider: expect.stringMatching(/^eo:/),
          serviceEventId: expect.any(String),
          occurredOn: '2025-10-01',
        },
        labels: { kind: 'Client did not attend a scheduled event' },
      }),
    ]);
    await post(`/v1/provider/referrals/${referralId}/no-show`, provider, 'alr-no-show').expect(202);
    const page = await alertsUntil(
      `/v1/alerts?kind=no-show&referralId=${referralId}`,
      (p) => p.items.length === 2,
      'no-show over HTTP',
    );
    expect(page.items[1]).toEqual(recorded.items[0]);
    expect(page.items[0].details).toEqual({ provider: recorded.items[0].details.provider });
    expect(Date.parse(page.items[0].occurredAt)).toBeGreaterThan(Date.parse(recorded.items[0].occurredAt));
    const other = (await get(`/v1/alerts?referralId=${crypto.randomUUID()}`).expect(200)).body as AlertPage;
    expect(other.items).toEqual([]);
    // Paged: one at a time, the cursor leads to the older ones and then ends.
    const kinds: string[] = [];
    let next: string | undefined = '';
    while (next !== undefined) {
      const one = (await get(`/v1/alerts?limit=1${next ? `&cursor=${next}` : ''}`).expect(200)).body as AlertPage;
      kinds.push(...one.items.map((a) => a.kind));
      next = one.next;
    }
    expect(kinds[0]).toBe('no-show');
    expect(kinds.sort()).toEqual(['duplicate-support', 'no-show', 'no-show']);
  });

  it('notifies each alert on notifications.v1 to the referrer, for its webhooks', async () => {
    const alertType = 'ca.on.passerelle.notification.alert-raised';
    const isAlert = (r: { headers?: Parameters<typeof headersAsStrings>[0] }) =>
      headersAsStrings(r.headers).ce_type === alertType;
    const records = await readRecordsUntil(
      testKafka(),
      `${stack.prefix}notifications.v1`,
      (rs) => rs.filter(isAlert).length >= 3,
      60_000,
    );
    const notified = records
      .filter(isAlert)
      .map((r) => JSON.parse(r.value!.toString()) as { recipient: string; change: string; alertId: string });
    const listed = ((await get('/v1/alerts').expect(200)).body as AlertPage).items;
    expect(notified.map((n) => n.alertId).sort()).toEqual(listed.map((a) => a.alertId).sort());
    for (const n of notified) expect(n).toMatchObject({ recipient: 'ow:greater-sudbury', referralId });
    expect(notified.map((n) => n.change).sort()).toEqual(['duplicate-support', 'no-show', 'no-show']);
  });

  it('acknowledges an alert once, for its recipient only, audited', async () => {
    const [alert] = ((await get('/v1/alerts?kind=duplicate-support').expect(200)).body as AlertPage).items;
    expect(alert).not.toHaveProperty('acknowledgedAt');
    const path = `/v1/alerts/${alert.alertId}/acknowledge`;
    await post(path, toronto, 'alr-ack-toronto').expect(404);
    const first = (await post(path, sudbury, 'alr-ack-1').expect(200)).body as AlertPage['items'][number];
    expect(first).toMatchObject({ alertId: alert.alertId, acknowledgedAt: expect.any(String) });
    const again = (await post(path, sudbury, 'alr-ack-2').expect(200)).body as AlertPage['items'][number];
    expect(again.acknowledgedAt).toBe(first.acknowledgedAt);
    const listed = ((await get('/v1/alerts').expect(200)).body as AlertPage).items;
    expect(listed.filter((a) => a.acknowledgedAt !== undefined).map((a) => a.alertId)).toEqual([alert.alertId]);
    await post(`/v1/alerts/${crypto.randomUUID()}/acknowledge`, sudbury, 'alr-ack-3').expect(404);
    const audit = (await get('/v1/audit').expect(200)).body as { items: Array<{ resource: string; action: string }> };
    // One entry per acknowledging request (each one a write of the caseworker's), none for the refused ones.
    expect(audit.items.filter((e) => e.resource === `alert/${alert.alertId}`).map((e) => e.action)).toEqual([
      'write',
      'write',
    ]);
  });

  it('shows another organization none, and refuses providers and bad parameters', async () => {
    expect(((await get('/v1/alerts', toronto).expect(200)).body as AlertPage).items).toEqual([]);
    await get('/v1/alerts', provider).expect(403);
    const bad = await get('/v1/alerts?kind=late&referralId=nope&limit=0&cursor=zz').expect(400);
    expect((bad.body as { errors: Array<{ pointer: string }> }).errors.map((e) => e.pointer).sort()).toEqual([
      '/cursor',
      '/kind',
      '/limit',
      '/referralId',
    ]);
  });
});
