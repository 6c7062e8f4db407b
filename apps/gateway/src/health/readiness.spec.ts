import { checkReadiness } from './readiness';

describe('checkReadiness', () => {
  it('is ok when every dependency answers', async () => {
    await expect(
      checkReadiness({ kafka: () => Promise.resolve(), postgres: () => Promise.resolve() }),
    ).resolves.toEqual({
      status: 'ok',
      checks: { kafka: { status: 'up' }, postgres: { status: 'up' } },
    });
  });

  it('names each dependency that is down, and why, without hiding the ones that are up', async () => {
    const report = await checkReadiness({
      kafka: () => Promise.resolve(),
      postgres: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432')),
    });
    expect(report).toEqual({
      status: 'error',
      checks: { kafka: { status: 'up' }, postgres: { status: 'down', detail: 'connect ECONNREFUSED 127.0.0.1:5432' } },
    });
  });
});
