import { mintDevToken } from '@passerelle/auth';
import type { OwCaseRecord } from '@passerelle/contracts';
import { AuditLog } from '@passerelle/persistence';
import { owAdapterApp } from '../../apps/ow-adapter/src/ow-adapter.app';
import { referralTrackerApp } from '../../apps/referral-tracker/src/referral-tracker.app';
import { taggedReferral } from '../support/client-path';
import { useGatewayStack } from '../support/gateway-stack';
import { testKafka, waitFor } from '../support/kafka';

describe('referrer endpoints: POST /v1/referrals and GET /v1/referrals/{id}', () => {
  const stack = useGatewayStack('t_ref', [owAdapterApp, referralTrackerApp]);
  const { config, prefix } = stack;
  const http = stack.http;
  let sudbury: string;

  beforeAll(async () => {
    sudbury = await mintDevToken({ org: 'ow:greater-sudbury', scopes: ['referrals:write', 'referrals:read'] }, config);
  });

  // Each referral under its own consent: withdrawing one (see below) leaves the others routable.
  const referralRecord = (tag: string): OwCaseRecord =>
    taggedReferral('ow-case-record/eloise-cote-tremblay-referral.json', tag);
  const submit = (body: unknown, key: string | undefined, token = sudbury) => {
    const req = http().post('/v1/referrals').set('authorization', `Bearer ${token}`);
    return key === undefined ? req.send(body as object) : req.set('idempotency-key', key).send(body as object);
  };
  const rawRecords = async (): Promise<number> => {
    const admin = testKafka().admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(`${prefix}ow.case-records.v1`);
    await admin.disconnect();
    return offsets.reduce((sum, p) => sum + Number(p.high), 0);
  };

  it('answers 202 once stored, finds the referral at once, then follows it as the tracker routes it', async () => {
    const res = await submit(referralRecord('a'), 'key-a').expect(202);
    expect(res.body).toMatchObject({
      status: 'requested',
      businessStatus: 'created',
      referrer: 'ow:greater-sudbury',
      sourceReferralId: 'SUD-REF-2025-0917-a',
    });
    expect(res.headers.location).toBe(`/v1/referrals/${res.body.referralId}`);
    const read = await http().get(res.headers.location).set('authorization', `Bearer ${sudbury}`).expect(200);
    expect(read.body.status).toBe('requested');
    const routed = await waitFor(
      async () => {
        const r = await http().get(res.headers.location).set('authorization', `Bearer ${sudbury}`);
        return r.body.businessStatus === 'routed' ? r.body : undefined;
      },
      60_000,
      'routed',
    );
    expect(routed.provider).toMatch(/^eo:/);
    expect(JSON.stringify(routed)).not.toContain('Éloïse');
  }, 120_000);

  it('keeps another organization out: its read is 404, like a referral that does not exist', async () => {
    const res = await submit(referralRecord('b'), 'key-b').expect(202);
    const toronto = await mintDevToken({ org: 'ow:toronto', scopes: ['referrals:read'] }, config);
    const other = await http().get(res.headers.location).set('authorization', `Bearer ${toronto}`).expect(404);
    const missing = await http()
      .get(`/v1/referrals/${crypto.randomUUID()}`)
      .set('authorization', `Bearer ${toronto}`)
      .expect(404);
    expect(other.body).toEqual({ ...missing.body, instance: other.body.instance });
    await http().get('/v1/referrals/not-a-uuid').set('authorization', `Bearer ${sudbury}`).expect(404);
    await http().get(res.headers.location).expect(401);
    const provider = await mintDevToken(
      { org: 'eo:provider-7', scopes: ['referrals:read', 'referrals:write'] },
      config,
    );
    await http().get(res.headers.location).set('authorization', `Bearer ${provider}`).expect(403);
    await submit(referralRecord('c'), 'key-c', provider).expect(403);
    // A delivery agent refers only its own clients.
    const forbidden = await submit(
      referralRecord('d'),
      'key-d',
      await mintDevToken({ org: 'ow:toronto', scopes: ['referrals:write'] }, config),
    ).expect(403);
    expect(forbidden.body.errors[0].pointer).toBe('/deliveryAgent/code');
  }, 60_000);

  it('refuses a bad body with a problem naming the field, and stores nothing', async () => {
    const before = await rawRecords();
    const noBirthDate = referralRecord('e');
    delete (noBirthDate.personal as { birthDate?: string }).birthDate;
    const bad = await submit(noBirthDate, 'key-e').expect(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect(bad.body.errors.map((e: { pointer: string }) => e.pointer)).toContain('/personal/birthDate');
    const noRequest = referralRecord('f');
    delete noRequest.referralRequest;
    expect((await submit(noRequest, 'key-f').expect(400)).body.errors[0].pointer).toBe('/referralRequest');
    const unknownCode = referralRecord('g');
    unknownCode.referralRequest!.serviceWantedCode = 'ZZZ';
    const unmapped = await submit(unknownCode, 'key-g').expect(400);
    expect(unmapped.body.errors[0]).toMatchObject({
      pointer: '/referralRequest/serviceWantedCode',
      code: 'unmapped-code',
    });
    expect((await submit(referralRecord('h'), undefined).expect(400)).body.errors[0].code).toBe('idempotency-key');
    await http()
      .post('/v1/referrals')
      .set('authorization', `Bearer ${sudbury}`)
      .set('idempotency-key', 'key-x')
      .set('content-type', 'application/xml')
      .send('<a/>')
      .expect(415);
    expect(await rawRecords()).toBe(before);
  }, 60_000);

  it('answers in French when the caller prefers it: problem titles and messages, code labels', async () => {
    const noBirthDate = referralRecord('fr1');
    delete (noBirthDate.personal as { birthDate?: string }).birthDate;
    const bad = await submit(noBirthDate, 'key-fr1').set('accept-language', 'fr-CA, en;q=0.5').expect(400);
    expect(bad.headers['content-language']).toBe('fr');
    expect(bad.body).toMatchObject({
      title: 'Requête invalide',
      detail: 'le dossier ne respecte pas sources/ow-case-record.json',
    });
    expect(bad.body.errors).toContainEqual(
      expect.objectContaining({ pointer: '/personal/birthDate', code: 'required', message: 'est obligatoire' }),
    );
    // The kept refusal, replayed, speaks the language of the replay.
    const replayed = await submit(noBirthDate, 'key-fr1').expect(400);
    expect(replayed.headers['idempotent-replayed']).toBe('true');
    expect(replayed.body).toMatchObject({
      title: 'Bad request',
      detail: 'the case record does not match sources/ow-case-record.json',
    });
    const missing = await http()
      .get(`/v1/referrals/${crypto.randomUUID()}`)
      .set('authorization', `Bearer ${sudbury}`)
      .set('accept-language', 'fr')
      .expect(404);
    expect(missing.body).toMatchObject({ title: 'Introuvable', detail: 'aucun renvoi de ce type' });
    const unauthenticated = await http()
      .get(`/v1/referrals/${crypto.randomUUID()}`)
      .set('accept-language', 'fr')
      .expect(401);
    expect(unauthenticated.body.title).toBe('Non authentifié');

    const res = await submit(referralRecord('fr2'), 'key-fr2').expect(202);
    const french = await http()
      .get(res.headers.location)
      .set('authorization', `Bearer ${sudbury}`)
      .set('accept-language', 'fr')
      .expect(200);
    expect(french.body.status).toBe('requested');
    expect(french.body.labels.status).toMatch(/^[A-ZÉ]/);
    const english = await http().get(res.headers.location).set('authorization', `Bearer ${sudbury}`).expect(200);
    expect(english.body.labels.status).not.toBe(french.body.labels.status);
  }, 60_000);

  it('replays the first answer for the same key and body, refuses another body, and makes one referral of 50 concurrent POSTs', async () => {
    const first = await submit(referralRecord('i'), 'key-i').expect(202);
    const again = await submit(referralRecord('i'), 'key-i').expect(202);
    expect(again.body).toEqual(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    await submit(referralRecord('j'), 'key-i').expect(422);

    const before = await rawRecords();
    const record = referralRecord('k');
    const answers = await Promise.all(Array.from({ length: 50 }, () => submit(record, 'key-k')));
    const statuses = answers.map((a) => a.status);
    expect(statuses.every((s) => s === 202 || s === 409)).toBe(true);
    expect(statuses.filter((s) => s === 202).length).toBeGreaterThanOrEqual(1);
    expect(new Set(answers.filter((a) => a.status === 202).map((a) => a.body.referralId)).size).toBe(1);
    expect(await rawRecords()).toBe(before + 1);
    const rows = await stack.database.db
      .selectFrom('referral_submission')
      .select('referral_id')
      .where('source_referral_id', '=', 'SUD-REF-2025-0917-k')
      .execute();
    expect(rows).toHaveLength(1);
  }, 60_000);

  describe('provider endpoints: inbox, accept, decline', () => {
    const routedReferral = async (tag: string): Promise<{ referralId: string; provider: string }> => {
      const res = await submit(referralRecord(tag), `key-${tag}`).expect(202);
      const routed = await waitFor(
        async () => {
          const r = await http().get(res.headers.location).set('authorization', `Bearer ${sudbury}`);
          return r.body.businessStatus === 'routed' ? r.body : undefined;
        },
        60_000,
        'routed',
      );
      return { referralId: res.body.referralId, provider: routed.provider };
    };

    it('shows a provider only the referrals routed to it, and lets it accept or decline them through the lifecycle', async () => {
      const one = await routedReferral('p1');
      const two = await routedReferral('p2');
      const provider = await mintDevToken({ org: one.provider, scopes: ['provider:read', 'provider:write'] }, config);
      const stranger = await mintDevToken(
        { org: 'eo:provider-999', scopes: ['provider:read', 'provider:write'] },
        config,
      );
      const inbox = async (token: string, query = '') =>
        http().get(`/v1/provider/referrals${query}`).set('authorization', `Bearer ${token}`).expect(200);

      const mine = (await inbox(provider, '?status=requested')).body.items.map(
        (r: { referralId: string }) => r.referralId,
      );
      expect(mine).toEqual(expect.arrayContaining([one.referralId, two.referralId]));
      expect((await inbox(stranger)).body.items).toEqual([]);
      // Paging: one at a time, every referral once.
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = (await inbox(provider, `?limit=1${cursor ? `&cursor=${cursor}` : ''}`)).body as {
          items: Array<{ referralId: string }>;
          next?: string;
        };
        seen.push(...page.items.map((r) => r.referralId));
        cursor = page.next;
      } while (cursor);
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen).toEqual(expect.arrayContaining([one.referralId, two.referralId]));
      await http().get('/v1/provider/referrals?status=bogus').set('authorization', `Bearer ${provider}`).expect(400);
      await http().get('/v1/provider/referrals').set('authorization', `Bearer ${sudbury}`).expect(403);

      // Another provider cannot answer; the routed one accepts, and the referrer sees it.
      await http()
        .post(`/v1/provider/referrals/${one.referralId}/accept`)
        .set('authorization', `Bearer ${stranger}`)
        .set('idempotency-key', 'acc-x')
        .expect(404);
      const accepted = await http()
        .post(`/v1/provider/referrals/${one.referralId}/accept`)
        .set('authorization', `Bearer ${provider}`)
        .set('idempotency-key', 'acc-1')
        .expect(202);
      expect(accepted.body).toMatchObject({ referralId: one.referralId, decision: 'accept' });
      await waitFor(
        async () => {
          const r = await http().get(`/v1/referrals/${one.referralId}`).set('authorization', `Bearer ${sudbury}`);
          return r.body.status === 'accepted' ? true : undefined;
        },
        60_000,
        'accepted',
      );
      // Declining it now is refused by the lifecycle.
      const late = await http()
        .post(`/v1/provider/referrals/${one.referralId}/decline`)
        .set('authorization', `Bearer ${provider}`)
        .set('idempotency-key', 'dec-1')
        .send({ declineReason: 'no-capacity' })
        .expect(409);
      expect(late.body.detail).toContain('accepted');

      // A decline needs its coded reason; with it, the referral is rejected with that reason.
      const noReason = await http()
        .post(`/v1/provider/referrals/${two.referralId}/decline`)
        .set('authorization', `Bearer ${provider}`)
        .set('idempotency-key', 'dec-2')
        .send({})
        .expect(400);
      expect(noReason.body.errors[0].pointer).toBe('/declineReason');
      await http()
        .post(`/v1/provider/referrals/${two.referralId}/decline`)
        .set('authorization', `Bearer ${provider}`)
        .set('idempotency-key', 'dec-3')
        .send({ declineReason: 'no-capacity', note: 'Full until March.' })
        .expect(202);
      const rejected = await waitFor(
        async () => {
          const r = await http().get(`/v1/referrals/${two.referralId}`).set('authorization', `Bearer ${sudbury}`);
          return r.body.status === 'rejected' ? r.body : undefined;
        },
        60_000,
        'rejected',
      );
      expect(rejected.statusReason).toEqual({ declineReason: 'no-capacity', text: 'Full until March.' });
    }, 180_000);
  });

  describe('referrer list and cancel', () => {
    it("lists only the caller's referrals in pages, and cancels one through the lifecycle", async () => {
      const res = await submit(referralRecord('l1'), 'key-l1').expect(202);
      const referralId = res.body.referralId as string;
      await waitFor(
        async () => {
          const r = await http().get(`/v1/referrals/${referralId}`).set('authorization', `Bearer ${sudbury}`);
          return r.body.businessStatus === 'routed' ? true : undefined;
        },
        60_000,
        'routed',
      );

      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await http()
          .get(`/v1/referrals?limit=2${cursor ? `&cursor=${cursor}` : ''}`)
          .set('authorization', `Bearer ${sudbury}`)
          .expect(200);
        seen.push(
          ...page.body.items.map((r: { referralId: string; referrer: string }) => {
            expect(r.referrer).toBe('ow:greater-sudbury');
            return r.referralId;
          }),
        );
        cursor = page.body.next;
      } while (cursor);
      expect(seen).toContain(referralId);
      expect(new Set(seen).size).toBe(seen.length);
      const toronto = await mintDevToken({ org: 'ow:toronto', scopes: ['referrals:read', 'referrals:write'] }, config);
      expect(
        (await http().get('/v1/referrals').set('authorization', `Bearer ${toronto}`).expect(200)).body.items,
      ).toEqual([]);
      await http().get('/v1/referrals?status=lost').set('authorization', `Bearer ${sudbury}`).expect(400);
      await http().get('/v1/referrals?cursor=garbage').set('authorization', `Bearer ${sudbury}`).expect(400);

      const cancel = (token: string, key: string, body: object) =>
        http()
          .post(`/v1/referrals/${referralId}/cancel`)
          .set('authorization', `Bearer ${token}`)
          .set('idempotency-key', key)
          .send(body);
      expect((await cancel(sudbury, 'c-0', {}).expect(400)).body.errors[0].pointer).toBe('/reason');
      await cancel(toronto, 'c-1', { reason: 'not mine' }).expect(404);
      const accepted = await cancel(sudbury, 'c-2', { reason: 'The client found work on her own.' }).expect(202);
      expect(accepted.body).toMatchObject({ referralId, change: 'cancel' });
      const cancelled = await waitFor(
        async () => {
          const r = await http().get(`/v1/referrals/${referralId}`).set('authorization', `Bearer ${sudbury}`);
          return r.body.status === 'cancelled' ? r.body : undefined;
        },
        60_000,
        'cancelled',
      );
      expect(cancelled.statusReason).toEqual({ text: 'The client found work on her own.' });
      // Cancelled is final: a second cancellation is refused by the lifecycle.
      await cancel(sudbury, 'c-3', { reason: 'again' }).expect(409);
      const onlyCancelled = await http()
        .get('/v1/referrals?status=cancelled')
        .set('authorization', `Bearer ${sudbury}`)
        .expect(200);
      expect(onlyCancelled.body.items.map((r: { referralId: string }) => r.referralId)).toEqual([referralId]);
    }, 120_000);
  });

  describe('consent withdrawal', () => {
    it('cancels the open referral the consent covered, refuses a second withdrawal, and hides the consent from other organizations', async () => {
      const res = await submit(referralRecord('w1'), 'key-w1').expect(202);
      const referralId = res.body.referralId as string;
      await waitFor(
        async () => {
          const r = await http().get(`/v1/referrals/${referralId}`).set('authorization', `Bearer ${sudbury}`);
          return r.body.businessStatus === 'routed' ? true : undefined;
        },
        60_000,
        'routed',
      );
      const row = await stack.database.db
        .selectFrom('referral')
        .select(['client_id', 'consent_id'])
        .where('referral_id', '=', referralId)
        .executeTakeFirstOrThrow();
      const withdrawer = await mintDevToken({ org: 'ow:greater-sudbury', scopes: ['consent:write'] }, config);
      const withdraw = (token: string, key: string, body: object, clientId = row.client_id) =>
        http()
          .post(`/v1/clients/${clientId}/consent/withdraw`)
          .set('authorization', `Bearer ${token}`)
          .set('idempotency-key', key)
          .send(body);

      expect((await withdraw(withdrawer, 'w-0', {}).expect(400)).body.errors[0].pointer).toBe('/consentId');
      const toronto = await mintDevToken({ org: 'ow:toronto', scopes: ['consent:write'] }, config);
      await withdraw(toronto, 'w-1', { consentId: row.consent_id }).expect(404);
      await withdraw(withdrawer, 'w-2', { consentId: row.consent_id }, crypto.randomUUID()).expect(404);
      await withdraw(sudbury, 'w-3', { consentId: row.consent_id }).expect(403); // no consent:write scope

      const done = await withdraw(withdrawer, 'w-4', { consentId: row.consent_id }).expect(202);
      expect(done.body).toMatchObject({ clientId: row.client_id, consentId: row.consent_id });
      const cancelled = await waitFor(
        async () => {
          const r = await http().get(`/v1/referrals/${referralId}`).set('authorization', `Bearer ${sudbury}`);
          return r.body.status === 'cancelled' ? r.body : undefined;
        },
        60_000,
        'cancelled',
      );
      expect(cancelled.statusReason).toEqual({ text: 'consent withdrawn' });
      const snapshot = await stack.database.db
        .selectFrom('referral')
        .select('snapshot')
        .where('referral_id', '=', referralId)
        .executeTakeFirstOrThrow();
      expect((snapshot.snapshot as { personal?: unknown }).personal).toBeUndefined();
      await withdraw(withdrawer, 'w-5', { consentId: row.consent_id }).expect(409);
    }, 120_000);
  });

  describe('audit log of personal-data access', () => {
    it("records the referrer's write and the provider's read, shows each organization only its own entries, and keeps the chain whole", async () => {
      // A person of its own: the consent withdrawal above erased the fixture's person for good.
      const record = taggedReferral('ow-case-record/eloise-cote-tremblay-referral.json', 'a1', '104558277');
      const res = await submit(record, 'key-a1').expect(202);
      const referralId = res.body.referralId as string;
      const routed = await waitFor(
        async () => {
          const r = await http().get(`/v1/referrals/${referralId}`).set('authorization', `Bearer ${sudbury}`);
          return r.body.businessStatus === 'routed' ? r.body : undefined;
        },
        60_000,
        'routed',
      );
      const provider = await mintDevToken(
        { org: routed.provider, scopes: ['provider:read', 'audit:read'], subject: 'intake-desk-3' },
        config,
      );
      await http().get('/v1/provider/referrals').set('authorization', `Bearer ${provider}`).expect(200);

      const referrerAudit = await mintDevToken({ org: 'ow:greater-sudbury', scopes: ['audit:read'] }, config);
      const mine = (await http().get('/v1/audit').set('authorization', `Bearer ${referrerAudit}`).expect(200)).body
        .items as Array<{ org: string; action: string; resource: string }>;
      expect(mine.every((e) => e.org === 'ow:greater-sudbury')).toBe(true);
      expect(mine).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ action: 'write', resource: `referral/${referralId}`, purpose: 'referral' }),
        ]),
      );
      const theirs = (await http().get('/v1/audit').set('authorization', `Bearer ${provider}`).expect(200)).body
        .items as Array<{ org: string; subject: string; action: string; resource: string }>;
      expect(theirs.every((e) => e.org === routed.provider)).toBe(true);
      expect(theirs).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            action: 'read',
            resource: `referral/${referralId}`,
            subject: 'intake-desk-3',
            purpose: 'service-delivery',
          }),
        ]),
      );
      await http().get('/v1/audit').set('authorization', `Bearer ${sudbury}`).expect(403); // no audit:read scope
      expect(await new AuditLog(stack.database.db).verify()).toMatchObject({ ok: true });
    }, 120_000);
  });
});
