import { mintDevToken } from '@passerelle/auth';
import type { OwCaseRecord } from '@passerelle/contracts';
import { owAdapterApp } from '../../apps/ow-adapter/src/ow-adapter.app';
import { referralTrackerApp } from '../../apps/referral-tracker/src/referral-tracker.app';
import { taggedReferral } from '../support/client-path';
import { useGatewayStack } from '../support/gateway-stack';
import { waitFor } from '../support/kafka';

interface Status {
  referralId: string;
  status: string;
  businessStatus: string;
  provider?: string;
  statusReason?: { text?: string };
}

/**
 * The lifecycle actions over HTTP on the real pipeline (gateway, ow-adapter, tracker, Kafka,
 * PostgreSQL): a provider puts a referral on hold, resumes it, records a no-show and cancels it;
 * a referrer voids one entered in error. Each is seen by the referrer in `GET /v1/referrals/{id}`;
 * what the lifecycle does not allow is a `409` problem and changes nothing.
 */
describe('lifecycle over HTTP: on-hold, resume, no-show, cancel, entered-in-error', () => {
  const stack = useGatewayStack('t_lfh', [owAdapterApp, referralTrackerApp]);
  const { config } = stack;
  const http = stack.http;
  let sudbury: string;

  const referral = (tag: string, memberId: string): OwCaseRecord =>
    taggedReferral('ow-case-record/eloise-cote-tremblay-referral.json', tag, memberId);
  const read = async (id: string): Promise<Status> =>
    (await http().get(`/v1/referrals/${id}`).set('authorization', `Bearer ${sudbury}`).expect(200)).body as Status;
  const post = (path: string, token: string, key: string, body?: unknown) => {
    const req = http().post(path).set('authorization', `Bearer ${token}`).set('idempotency-key', key);
    return body === undefined ? req : req.send(body as object);
  };
  const reached = (id: string, what: string, done: (r: Status) => boolean) =>
    waitFor(
      async () => {
        const r = await read(id);
        return done(r) ? r : undefined;
      },
      60_000,
      `referral ${id} ${what}`,
    );
  /** Submitted over HTTP and routed by the tracker: its id and its provider's token. */
  const routedReferral = async (tag: string, memberId: string) => {
    const res = await post('/v1/referrals', sudbury, `ref-${tag}`, referral(tag, memberId)).expect(202);
    const routed = await reached(res.body.referralId as string, 'routed', (r) => r.businessStatus === 'routed');
    const token = await mintDevToken({ org: routed.provider!, scopes: ['provider:read', 'provider:write'] }, config);
    return { referralId: routed.referralId, token };
  };

  beforeAll(async () => {
    sudbury = await mintDevToken({ org: 'ow:greater-sudbury', scopes: ['referrals:write', 'referrals:read'] }, config);
  });

  it('lets the provider put on hold, resume, record a no-show and cancel, each seen by the referrer', async () => {
    const { referralId, token } = await routedReferral('lfh-a', '104558241');
    const base = `/v1/provider/referrals/${referralId}`;
    await post(`${base}/accept`, token, 'accept-a').expect(202);
    await reached(referralId, 'accepted', (r) => r.status === 'accepted');

    // Resuming is only out of on-hold: refused, and the referral stays as it was.
    const refused = await post(`${base}/resume`, token, 'resume-early').expect(409);
    expect(refused.body.type).toMatch(/illegal-transition$/);
    expect((await read(referralId)).status).toBe('accepted');

    const held = await post(`${base}/on-hold`, token, 'hold-a', { reason: 'Congé de maladie jusqu’au 15 novembre.' });
    expect(held.status).toBe(202);
    expect(held.body).toMatchObject({ referralId, change: 'on-hold' });
    const onHold = await reached(referralId, 'on-hold', (r) => r.status === 'on-hold');
    expect(onHold.statusReason).toEqual({ text: 'Congé de maladie jusqu’au 15 novembre.' });
    // The same request again (same Idempotency-Key) answers the same, applied once.
    expect(
      (await post(`${base}/on-hold`, token, 'hold-a', { reason: 'Congé de maladie jusqu’au 15 novembre.' })).body,
    ).toEqual(held.body);

    await post(`${base}/resume`, token, 'resume-a').expect(202);
    await reached(referralId, 'in-progress', (r) => r.status === 'in-progress');

    await post(`${base}/no-show`, token, 'no-show-a').expect(202);
    const unattended = await reached(referralId, 'no-show', (r) => r.businessStatus === 'event-unattended');
    expect(unattended.status).toBe('in-progress');

    await post(`${base}/cancel`, token, 'cancel-a', { reason: 'Injoignable depuis trois semaines.' }).expect(202);
    const cancelled = await reached(referralId, 'cancelled', (r) => r.status === 'cancelled');
    expect(cancelled).toMatchObject({
      businessStatus: 'fulfillment-cancelled',
      statusReason: { text: 'Injoignable depuis trois semaines.' },
    });

    // Cancelled is final: a hold is refused (in French too) and nothing moves.
    const late = await post(`${base}/on-hold`, token, 'hold-late', { reason: 'trop tard' })
      .set('accept-language', 'fr')
      .expect(409);
    expect(late.body.type).toMatch(/illegal-transition$/);
    await post(`${base}/no-show`, token, 'no-show-late').expect(409);
    expect(await read(referralId)).toMatchObject({ status: 'cancelled', businessStatus: 'fulfillment-cancelled' });
  }, 180_000);

  it('lets the referrer mark a referral entered in error, and no one move it after', async () => {
    const { referralId, token } = await routedReferral('lfh-b', '104558242');
    // Only the referrer may void it: the provider has no such action, and a hold before acceptance is refused.
    await post(`/v1/provider/referrals/${referralId}/on-hold`, token, 'hold-b', { reason: 'x' }).expect(409);

    const voided = await post(`/v1/referrals/${referralId}/entered-in-error`, sudbury, 'error-b').expect(202);
    expect(voided.body).toMatchObject({ referralId, change: 'entered-in-error' });
    await reached(referralId, 'entered-in-error', (r) => r.status === 'entered-in-error');

    await post(`/v1/referrals/${referralId}/entered-in-error`, sudbury, 'error-b-again').expect(409);
    await post(`/v1/provider/referrals/${referralId}/cancel`, token, 'cancel-b', { reason: 'x' }).expect(409);
    expect((await read(referralId)).status).toBe('entered-in-error');
  }, 180_000);
});
