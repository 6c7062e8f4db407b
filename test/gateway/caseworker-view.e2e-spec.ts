import { mintDevToken } from '@passerelle/auth';
import type { OwCaseRecord, components } from '@passerelle/contracts';
import { eoAdapterApp } from '../../apps/eo-adapter/src/eo-adapter.app';
import { owAdapterApp } from '../../apps/ow-adapter/src/ow-adapter.app';
import { referralTrackerApp } from '../../apps/referral-tracker/src/referral-tracker.app';
import { providerRecordVersions, taggedReferral } from '../support/client-path';
import { useGatewayStack } from '../support/gateway-stack';
import { waitFor } from '../support/kafka';

type ReferralHistory = components['schemas']['ReferralHistory'];
type ReferralOutcomes = components['schemas']['ReferralOutcomes'];
type ReferralStatusPage = components['schemas']['ReferralStatusPage'];

const IES_MILESTONES = [
  'ies-employed-1-month',
  'ies-employed-3-months',
  'ies-employed-6-months',
  'ies-employed-12-months',
];

/**
 * The caseworker's view of a referral, driven through HTTP alone on the real pipeline: its history
 * (who, when, from→to, why, coded reasons labelled in English or French), the outcome milestones
 * the tracker tied to it, and finding it by the referrer's own id.
 */
describe('caseworker view: GET /v1/referrals/{id}/history, /outcomes and ?sourceReferralId=', () => {
  const stack = useGatewayStack('t_cwv', [owAdapterApp, eoAdapterApp, referralTrackerApp]);
  const { config } = stack;
  const http = stack.http;
  let sudbury: string;
  /** The referral served to its 12-month follow-up, and the one the provider declined. */
  const served = { referralId: '', sourceReferralId: '', provider: '' };
  const declined = { referralId: '', provider: '' };

  const referral = (tag: string, memberId: string): OwCaseRecord =>
    taggedReferral('ow-case-record/eloise-cote-tremblay-referral.json', tag, memberId);
  const get = (path: string, token = sudbury, language = 'en') =>
    http().get(path).set('authorization', `Bearer ${token}`).set('accept-language', language);
  const post = (path: string, token: string, key: string, body: unknown) =>
    http()
      .post(path)
      .set('authorization', `Bearer ${token}`)
      .set('idempotency-key', key)
      .send(body as object);
  const statusReached = (id: string, status: string) =>
    waitFor(
      async () => {
        const r = (await get(`/v1/referrals/${id}`).expect(200)).body as { status: string; businessStatus: string };
        return r.status === status ? r : undefined;
      },
      60_000,
      `referral ${id} ${status}`,
    );
  /** Submitted over HTTP and routed by the tracker: its id, the referrer's id, and its provider's token. */
  const routedReferral = async (tag: string, memberId: string) => {
    const record = referral(tag, memberId);
    const res = await post('/v1/referrals', sudbury, `ref-${tag}`, record).expect(202);
    const routed = await waitFor(
      async () => {
        const r = (await get(`/v1/referrals/${res.body.referralId}`).expect(200)).body;
        return r.businessStatus === 'routed' ? (r as { referralId: string; provider: string }) : undefined;
      },
      60_000,
      'routed',
    );
    const token = await mintDevToken({ org: routed.provider, scopes: ['provider:read', 'provider:write'] }, config);
    return { ...routed, sourceReferralId: record.referralRequest!.referralId, token };
  };

  beforeAll(async () => {
    sudbury = await mintDevToken({ org: 'ow:greater-sudbury', scopes: ['referrals:write', 'referrals:read'] }, config);

    // One referral served all the way: accepted, plan, job, the four IES follow-ups, exit.
    const a = await routedReferral('cwv-a', '104558231');
    Object.assign(served, { referralId: a.referralId, sourceReferralId: a.sourceReferralId, provider: a.provider });
    const [v1, v2, v3] = providerRecordVersions({
      tag: '-cwv',
      providerId: a.provider.slice('eo:'.length),
      referralId: a.referralId,
      samsMemberId: '104558231',
    });
    await post('/v1/provider/service-records', a.token, 'records-v1-v2', { records: [v1, v2] }).expect(202);
    await statusReached(a.referralId, 'in-progress');
    await post('/v1/provider/service-records', a.token, 'records-v3', v3).expect(202);
    await statusReached(a.referralId, 'completed');

    // One declined with a coded reason and a note.
    const b = await routedReferral('cwv-b', '104558232');
    Object.assign(declined, { referralId: b.referralId, provider: b.provider });
    await post(`/v1/provider/referrals/${b.referralId}/decline`, b.token, 'decline-b', {
      declineReason: 'language-not-offered',
      note: 'Aucun conseiller francophone disponible avant novembre.',
    }).expect(202);
    await statusReached(b.referralId, 'rejected');
  }, 240_000);

  it('tells every change of a referral, oldest first: who, when, from→to, in English and in French', async () => {
    const history = (await get(`/v1/referrals/${served.referralId}/history`).expect(200)).body as ReferralHistory;
    expect(history.referralId).toBe(served.referralId);
    const [submitted, routed] = history.items;
    expect(submitted).toMatchObject({
      toStatus: 'requested',
      businessStatus: 'created',
      actor: { kind: 'referrer', org: 'ow:greater-sudbury' },
      labels: { toStatus: 'Requested', businessStatus: 'Created' },
    });
    expect(submitted).not.toHaveProperty('fromStatus');
    expect(routed).toMatchObject({ fromStatus: 'requested', businessStatus: 'routed', actor: { kind: 'system' } });
    // A chain: each change starts where the one before ended, and it ends completed by the provider.
    history.items.slice(1).forEach((entry, n) => expect(entry.fromStatus).toBe(history.items[n].toStatus));
    const statuses = history.items.map((e) => e.toStatus).filter((s, n, all) => s !== all[n - 1]);
    expect(statuses).toEqual(['requested', 'accepted', 'in-progress', 'completed']);
    for (const entry of history.items.filter((e) => e.actor.kind === 'provider'))
      expect(entry.actor.org).toBe(served.provider);
    for (const entry of history.items) {
      expect(Date.parse(entry.occurredAt)).not.toBeNaN();
      expect(Date.parse(entry.recordedAt)).not.toBeNaN();
    }
    expect(JSON.stringify(history)).not.toContain('Éloïse');

    const french = (await get(`/v1/referrals/${served.referralId}/history`, sudbury, 'fr-CA').expect(200))
      .body as ReferralHistory;
    expect(french.items.map((e) => ({ ...e, labels: undefined }))).toEqual(
      history.items.map((e) => ({ ...e, labels: undefined })),
    );
    expect(french.items[0].labels).toEqual({ toStatus: 'Demandé', businessStatus: 'Créé' });
    expect(french.items.at(-1)!.labels).toMatchObject({ toStatus: 'Terminé' });
  });

  it('gives the coded reason of a decline with its label in the caller’s language, and the words as written', async () => {
    const read = async (language: string) =>
      (
        (await get(`/v1/referrals/${declined.referralId}/history`, sudbury, language).expect(200))
          .body as ReferralHistory
      ).items;
    const [en, fr] = [(await read('en')).at(-1)!, (await read('fr')).at(-1)!];
    expect(en).toMatchObject({
      fromStatus: 'requested',
      toStatus: 'rejected',
      businessStatus: 'declined',
      actor: { kind: 'provider', org: declined.provider },
      reason: { code: 'language-not-offered', text: 'Aucun conseiller francophone disponible avant novembre.' },
      labels: { toStatus: 'Rejected', reason: 'Service not offered in the requested language' },
    });
    expect(fr.reason).toEqual(en.reason);
    expect(fr.labels).toEqual({
      fromStatus: 'Demandé',
      toStatus: 'Refusé',
      businessStatus: 'Refusé',
      reason: 'Service non offert dans la langue demandée',
    });
  });

  it('lists the outcome milestones tied to the referral, labelled in English and in French', async () => {
    const outcomes = await waitFor(
      async () => {
        const body = (await get(`/v1/referrals/${served.referralId}/outcomes`).expect(200)).body as ReferralOutcomes;
        const types = new Set(body.items.map((o) => o.outcomeType));
        return IES_MILESTONES.every((m) => types.has(m as never)) ? body : undefined;
      },
      60_000,
      'the four IES follow-ups as outcomes',
    );
    const ies = outcomes.items.filter((o) => IES_MILESTONES.includes(o.outcomeType));
    expect(ies.map((o) => o.outcomeType)).toEqual(IES_MILESTONES);
    expect(ies[0]).toMatchObject({
      program: 'OW',
      reportedBy: served.provider,
      clientSituation: 'employed-full-time',
      labels: {
        outcomeType: 'Employed 1 month after job start (IES)',
        program: 'Ontario Works',
        clientSituation: 'Employed full-time',
      },
    });
    const observed = outcomes.items.map((o) => o.observedOn);
    expect(observed).toEqual([...observed].sort());
    // The milestone, not the job: no employer or wage reaches the referrer here.
    expect(JSON.stringify(outcomes)).not.toMatch(/Mountain Family Health Team|hourlyWage|Éloïse/);

    const french = (await get(`/v1/referrals/${served.referralId}/outcomes`, sudbury, 'fr').expect(200))
      .body as ReferralOutcomes;
    expect(french.items.find((o) => o.outcomeType === 'ies-employed-12-months')!.labels).toEqual({
      outcomeType: 'En emploi 12 mois après l’entrée en fonction (SEI)',
      program: 'Ontario au travail',
      clientSituation: 'En emploi à temps partiel',
    });
    // The declined referral has none.
    expect((await get(`/v1/referrals/${declined.referralId}/outcomes`).expect(200)).body).toEqual({
      referralId: declined.referralId,
      items: [],
    });
  });

  it('finds a referral by the referrer’s own id, and only the referrer’s', async () => {
    const byOwnId = async (sourceReferralId: string, token = sudbury) =>
      (
        (await get(`/v1/referrals?sourceReferralId=${encodeURIComponent(sourceReferralId)}`, token).expect(200))
          .body as ReferralStatusPage
      ).items;
    const found = await byOwnId(served.sourceReferralId);
    expect(found.map((r) => r.referralId)).toEqual([served.referralId]);
    expect(found[0]).toMatchObject({ sourceReferralId: served.sourceReferralId, status: 'completed' });
    expect(await byOwnId('SUD-REF-NOBODY-USED')).toEqual([]);
    const toronto = await mintDevToken({ org: 'ow:toronto', scopes: ['referrals:read'] }, config);
    expect(await byOwnId(served.sourceReferralId, toronto)).toEqual([]);
    // With the other filters: the served referral is not rejected.
    const both = await get(`/v1/referrals?sourceReferralId=${served.sourceReferralId}&status=rejected`).expect(200);
    expect(both.body.items).toEqual([]);
  });

  it('refuses a bad sourceReferralId with a 400 naming the parameter, in the caller’s language', async () => {
    const bad = await get('/v1/referrals?sourceReferralId=has%20a%20space').expect(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect(bad.body).toMatchObject({
      type: '/v1/problems/invalid-query',
      errors: [{ pointer: '/sourceReferralId', code: 'pattern', message: 'is not a source referral id' }],
    });
    const twice = await get('/v1/referrals?sourceReferralId=A-1&sourceReferralId=A-2').expect(400);
    expect(twice.body.errors[0].pointer).toBe('/sourceReferralId');
    const french = await get('/v1/referrals?sourceReferralId=-x', sudbury, 'fr').expect(400);
    expect(french.body.errors[0]).toMatchObject({
      pointer: '/sourceReferralId',
      message: "n'est pas un identifiant de renvoi du système source",
    });
  });

  it('answers another organization’s referral, or a bad id, exactly like one that does not exist (404)', async () => {
    const toronto = await mintDevToken({ org: 'ow:toronto', scopes: ['referrals:read'] }, config);
    for (const view of ['history', 'outcomes']) {
      const theirs = await get(`/v1/referrals/${served.referralId}/${view}`, toronto).expect(404);
      const missing = await get(`/v1/referrals/${crypto.randomUUID()}/${view}`).expect(404);
      const badId = await get(`/v1/referrals/not-a-uuid/${view}`).expect(404);
      expect(theirs.headers['content-type']).toContain('application/problem+json');
      for (const other of [missing, badId])
        expect({ ...other.body, instance: undefined }).toEqual({ ...theirs.body, instance: undefined });
      expect(theirs.body).toMatchObject({ type: '/v1/problems/referral-not-found', detail: 'no such referral' });
      // The provider it is routed to reads it through its own API, not the referrer's.
      const provider = await mintDevToken({ org: served.provider, scopes: ['referrals:read'] }, config);
      await get(`/v1/referrals/${served.referralId}/${view}`, provider).expect(403);
    }
  });
});
