import { useGatewayStack } from '../support/gateway-stack';

describe('the error catalogue: every problem type leads somewhere', () => {
  const stack = useGatewayStack('t_problems', []);

  it('serves the page a refusal names, as JSON for programs and HTML in French for people', async () => {
    const refused = await stack.http().get('/v1/referrals').expect(401);
    expect(refused.body).toMatchObject({ type: '/v1/problems/token-missing', status: 401 });

    const json = await stack
      .http()
      .get(refused.body.type as string)
      .expect(200);
    expect(json.headers['content-type']).toMatch(/^application\/json/);
    expect(json.body).toEqual({
      type: '/v1/problems/token-missing',
      code: 'TOKEN_MISSING',
      status: 401,
      title: 'Token missing',
      description: expect.stringContaining('Authorization: Bearer') as string,
    });

    const page = await stack
      .http()
      .get(refused.body.type as string)
      .set('accept', 'text/html,application/xhtml+xml,*/*;q=0.8')
      .set('accept-language', 'fr-CA,fr;q=0.9,en;q=0.5')
      .expect(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['content-language']).toBe('fr');
    expect(page.text).toContain('<h1>Jeton absent</h1>');
    expect(page.text).toContain('<code>TOKEN_MISSING</code>');
  });

  it('lists every type, each one served', async () => {
    const list = await stack.http().get('/v1/problems?lang=fr').expect(200);
    const items = list.body.items as Array<{ type: string; title: string }>;
    expect(items.length).toBeGreaterThan(20);
    for (const item of items) {
      const one = await stack.http().get(item.type).query({ lang: 'fr' }).expect(200);
      expect(one.body).toMatchObject({ type: item.type, title: item.title });
    }
  });

  it('answers an unknown type with a plain 404 and a bad language with 400 naming the parameter', async () => {
    const unknown = await stack.http().get('/v1/problems/no-such-thing').expect(404);
    expect(unknown.body).toMatchObject({ type: 'about:blank', status: 404 });
    const bad = await stack.http().get('/v1/problems/token-missing?lang=de').expect(400);
    expect(bad.body).toMatchObject({
      type: '/v1/problems/invalid-query',
      errors: [{ pointer: '/lang', code: 'enum', message: 'must be en or fr' }],
    });
  });
});
