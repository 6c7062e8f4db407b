import { createPasserelleClient, IDEMPOTENCY_KEY_HEADER, PasserelleProblem, type PasserelleClient } from '.';

/** A fetch that records each request and answers with what `answer` returns. */
function fakeFetch(answer: (request: Request) => Response) {
  const requests: Request[] = [];
  const fetch = (request: Request): Promise<Response> => {
    requests.push(request);
    return Promise.resolve(answer(request));
  };
  return { fetch, requests };
}

const json = (status: number, body: unknown, type = 'application/json', headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': type, ...headers } });

const REFERRAL_ID = '2c9a7b1e-3d4f-5a6b-8c7d-9e0f1a2b3c4d';
const ACCEPTED = { referralId: REFERRAL_ID, status: 'accepted', businessStatus: 'accepted', referrer: 'ow:toronto' };

describe('createPasserelleClient', () => {
  it('sends the bearer token and reads a typed answer from the base URL', async () => {
    const { fetch, requests } = fakeFetch(() => json(200, ACCEPTED));
    const client = createPasserelleClient({ baseUrl: 'https://gateway.example/', token: 'abc', fetch });
    const { data, response } = await client.GET('/v1/referrals/{referralId}', {
      params: { path: { referralId: REFERRAL_ID } },
    });
    expect(data.status).toBe('accepted');
    expect(response.status).toBe(200);
    expect(requests[0].url).toBe(`https://gateway.example/v1/referrals/${REFERRAL_ID}`);
    expect(requests[0].headers.get('authorization')).toBe('Bearer abc');
    // Reads are never given an Idempotency-Key.
    expect(requests[0].headers.has(IDEMPOTENCY_KEY_HEADER)).toBe(false);
  });

  it('asks getToken for every request, so a renewed token is used at once', async () => {
    const { fetch, requests } = fakeFetch(() => json(200, { items: [] }));
    let n = 0;
    const client = createPasserelleClient({ baseUrl: 'http://gw', getToken: () => Promise.resolve(`t${++n}`), fetch });
    await client.GET('/v1/webhooks');
    await client.GET('/v1/webhooks');
    expect(requests.map((r) => r.headers.get('authorization'))).toEqual(['Bearer t1', 'Bearer t2']);
  });

  it('refuses options with neither or both of token and getToken', () => {
    expect(() => createPasserelleClient({ baseUrl: 'http://gw' })).toThrow(TypeError);
    expect(() => createPasserelleClient({ baseUrl: 'http://gw', token: 'a', getToken: () => 'b' })).toThrow(TypeError);
  });

  describe('Idempotency-Key', () => {
    let client: PasserelleClient;
    let requests: Request[];
    beforeEach(() => {
      const fake = fakeFetch(() => json(202, { referralId: REFERRAL_ID, decision: 'accepted' }));
      requests = fake.requests;
      client = createPasserelleClient({ baseUrl: 'http://gw', token: 't', fetch: fake.fetch });
    });
    const accept = (key?: string) =>
      client.POST('/v1/provider/referrals/{referralId}/accept', {
        params: { path: { referralId: REFERRAL_ID }, ...(key !== undefined && { header: { 'Idempotency-Key': key } }) },
      });

    it('generates a fresh one for each POST that has none', async () => {
      await accept();
      await accept();
      const keys = requests.map((r) => r.headers.get(IDEMPOTENCY_KEY_HEADER));
      expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
      expect(keys[1]).toMatch(/^[0-9a-f-]{36}$/);
      expect(keys[0]).not.toBe(keys[1]);
    });

    it('sends the caller’s own, so a retry repeats the first request', async () => {
      await accept('retry-me');
      await accept('retry-me');
      expect(requests.map((r) => r.headers.get(IDEMPOTENCY_KEY_HEADER))).toEqual(['retry-me', 'retry-me']);
    });
  });

  describe('problems', () => {
    const failing = (response: Response) =>
      createPasserelleClient({ baseUrl: 'http://gw', token: 't', fetch: () => Promise.resolve(response) });
    const read = (client: PasserelleClient) =>
      client.GET('/v1/referrals/{referralId}', { params: { path: { referralId: REFERRAL_ID } } });

    it('throws a problem+json answer as a typed PasserelleProblem', async () => {
      const body = {
        type: 'https://gateway.example/v1/problems/validation',
        title: 'Request body is invalid',
        status: 400,
        detail: '1 field is invalid',
        instance: '/v1/referrals',
        errors: [{ pointer: '/personal/birthDate', code: 'required', message: 'is required' }],
      };
      const error = await read(failing(json(400, body, 'application/problem+json'))).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PasserelleProblem);
      const problem = error as PasserelleProblem;
      expect(problem).toMatchObject({ ...body, message: '1 field is invalid' });
      expect(problem.problem).toEqual(body);
      expect(problem.response?.status).toBe(400);
    });

    it('keeps Retry-After of an overloaded gateway', async () => {
      const busy = json(
        503,
        { type: 'about:blank', title: 'Service Unavailable', status: 503 },
        'application/problem+json',
        {
          'retry-after': '7',
        },
      );
      await expect(read(failing(busy))).rejects.toMatchObject({ status: 503, retryAfterSeconds: 7 });
    });

    it('turns an answer that is not a problem (a proxy page) into an about:blank problem with its status', async () => {
      const page = new Response('<h1>Bad gateway</h1>', {
        status: 502,
        statusText: 'Bad Gateway',
        headers: { 'content-type': 'text/html' },
      });
      await expect(read(failing(page))).rejects.toMatchObject({
        name: 'PasserelleProblem',
        type: 'about:blank',
        title: 'Bad Gateway',
        status: 502,
        detail: '<h1>Bad gateway</h1>',
      });
    });
  });
});
