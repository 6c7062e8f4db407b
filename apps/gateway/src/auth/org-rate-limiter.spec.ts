import { OrgRateLimiter } from './org-rate-limiter';

describe('OrgRateLimiter', () => {
  let clock = 0;
  const limiter = (rate: number, burst: number) => new OrgRateLimiter(rate, burst, () => clock);
  beforeEach(() => {
    clock = 0;
  });

  it('allows a burst, then refuses with the seconds until the next request fits', () => {
    const l = limiter(2, 3);
    expect([1, 2, 3].map(() => l.take('ow:toronto').allowed)).toEqual([true, true, true]);
    expect(l.take('ow:toronto')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    clock += 500; // one token back at 2/s
    expect(l.take('ow:toronto')).toEqual({ allowed: true });
    expect(l.take('ow:toronto').allowed).toBe(false);
  });

  it('keeps each organization in its own bucket', () => {
    const l = limiter(1, 1);
    expect(l.take('ow:toronto').allowed).toBe(true);
    expect(l.take('ow:toronto').allowed).toBe(false);
    expect(l.take('eo:provider-7').allowed).toBe(true);
  });

  it('rounds Retry-After up to whole seconds for slow rates', () => {
    const l = limiter(0.1, 1);
    l.take('ministry:mcss');
    expect(l.take('ministry:mcss')).toEqual({ allowed: false, retryAfterSeconds: 10 });
  });

  it('never stores more than the burst, however long an organization was idle', () => {
    const l = limiter(10, 2);
    clock += 3_600_000;
    expect([1, 2, 3].map(() => l.take('odsp:central').allowed)).toEqual([true, true, false]);
  });

  it('forgets organizations whose bucket has refilled', () => {
    const l = limiter(10, 10);
    for (let n = 0; n < 100; n += 1) l.take(`eo:provider-${n}`);
    expect(l.size).toBe(100);
    clock += 1_001;
    l.take('ow:toronto');
    expect(l.size).toBe(1);
  });

  it('refuses a rate or burst that would never allow anything', () => {
    expect(() => limiter(0, 1)).toThrow(RangeError);
    expect(() => limiter(1, 0)).toThrow(RangeError);
  });
});
