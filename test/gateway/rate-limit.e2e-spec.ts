import { mintDevToken } from '@passerelle/auth';
import { useGatewayStack } from '../support/gateway-stack';

describe('per-organization request rate', () => {
  const stack = useGatewayStack('t_rate', [], { RATE_LIMIT_PER_SECOND: '1', RATE_LIMIT_BURST: '3' });
  const { config } = stack;

  // The limiter's clock is `performance.now()`: faking only that (the network, timers and Date stay
  // real) lets the test move time forward by exactly one refill instead of sleeping through it.
  beforeEach(() => {
    jest.useFakeTimers({
      doNotFake: [
        'Date',
        'hrtime',
        'nextTick',
        'queueMicrotask',
        'requestAnimationFrame',
        'cancelAnimationFrame',
        'requestIdleCallback',
        'cancelIdleCallback',
        'setImmediate',
        'clearImmediate',
        'setInterval',
        'clearInterval',
        'setTimeout',
        'clearTimeout',
      ],
    });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('answers 429 with Retry-After past the burst, per organization, and never limits public endpoints', async () => {
    const http = stack.http;
    const toronto = await mintDevToken({ org: 'ow:toronto', scopes: ['referrals:read'] }, config);
    const ottawa = await mintDevToken({ org: 'ow:ottawa', scopes: ['referrals:read'] }, config);
    for (let n = 0; n < 3; n += 1)
      await http().get('/v1/referrals').set('authorization', `Bearer ${toronto}`).expect(200);
    const limited = await http()
      .get('/v1/referrals')
      .set('authorization', `Bearer ${toronto}`)
      .set('accept-language', 'fr')
      .expect(429);
    expect(limited.headers['retry-after']).toBe('1');
    expect(limited.headers['content-type']).toContain('application/problem+json');
    expect(limited.body).toMatchObject({
      status: 429,
      title: 'Trop de requêtes',
      detail: 'ow:toronto dépasse son débit de requêtes : réessayez dans 1 s',
    });
    // Another organization has its own allowance; health and metrics have none to spend.
    await http().get('/v1/referrals').set('authorization', `Bearer ${ottawa}`).expect(200);
    for (let n = 0; n < 10; n += 1) await http().get('/v1/health/live').expect(200);
    // A second later the bucket has one request again.
    jest.advanceTimersByTime(1_000);
    await http().get('/v1/referrals').set('authorization', `Bearer ${toronto}`).expect(200);
    await http().get('/v1/referrals').set('authorization', `Bearer ${toronto}`).expect(429);
  });
});
