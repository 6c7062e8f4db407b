import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ADDRESS_NOT_ALLOWED, WebhookSender, allowedAddressLookup } from './webhook-sender';

/** A real local receiver; each test says how it answers. */
function receiver(
  handle: (req: IncomingMessage, res: ServerResponse, body: string) => void,
): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => handle(req, res, body));
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, server }),
    ),
  );
}

describe('WebhookSender', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('POSTs the body and headers and reports the status', async () => {
    const seen: Array<{ method?: string; header?: string | string[]; body: string }> = [];
    const { url, server } = await receiver((req, res, body) => {
      seen.push({ method: req.method, header: req.headers['passerelle-delivery-id'], body });
      res.writeHead(204).end();
    });
    servers.push(server);
    const result = await new WebhookSender(2_000, 'loopback').send(
      url,
      { 'content-type': 'application/json', 'passerelle-delivery-id': 'd-1' },
      '{"a":1}',
    );
    expect(result).toMatchObject({ statusCode: 204 });
    expect(seen).toEqual([{ method: 'POST', header: 'd-1', body: '{"a":1}' }]);
  });

  it('reports a 5xx and a redirect as statuses (the redirect is not followed)', async () => {
    let calls = 0;
    const { url, server } = await receiver((_req, res) => {
      calls += 1;
      if (calls === 1) res.writeHead(503).end('busy, and this body is never read');
      else res.writeHead(302, { location: 'https://elsewhere.example/' }).end();
    });
    servers.push(server);
    const sender = new WebhookSender(2_000, 'loopback');
    expect(await sender.send(url, {}, '{}')).toMatchObject({ statusCode: 503 });
    expect(await sender.send(url, {}, '{}')).toMatchObject({ statusCode: 302 });
    expect(calls).toBe(2);
  });

  it('gives up after the timeout on a receiver that never answers', async () => {
    const { url, server } = await receiver(() => undefined);
    servers.push(server);
    const result = await new WebhookSender(300, 'loopback').send(url, {}, '{}');
    expect(result).toMatchObject({ error: 'timeout' });
    expect(result.durationMs).toBeGreaterThanOrEqual(250);
    expect(result.durationMs).toBeLessThan(2_000);
  });

  it('names a refused connection by its code, without the URL', async () => {
    const { url, server } = await receiver((_req, res) => res.end());
    await new Promise((resolve) => server.close(resolve));
    const result = await new WebhookSender(2_000, 'loopback').send(url, {}, '{}');
    expect(result).toMatchObject({ error: 'ECONNREFUSED' });
  });

  it('sends nothing to an address the policy refuses, named in the URL or resolved from a host name', async () => {
    let calls = 0;
    const { url, server } = await receiver((_req, res) => {
      calls += 1;
      res.writeHead(204).end();
    });
    servers.push(server);
    const port = new URL(url).port;
    const production = new WebhookSender(2_000, 'public');
    // The receiver listens on loopback: 'public' (production) refuses it however it is written...
    for (const target of [url, `http://localhost:${port}/hook`, `http://[::ffff:127.0.0.1]:${port}/hook`]) {
      expect(await production.send(target, {}, '{}')).toMatchObject({ error: ADDRESS_NOT_ALLOWED });
    }
    expect(calls).toBe(0);
    // ...and 'loopback' (development) delivers to it, by address and by name.
    const development = new WebhookSender(2_000, 'loopback');
    expect(await development.send(url, {}, '{}')).toMatchObject({ statusCode: 204 });
    expect(await development.send(`http://localhost:${port}/hook`, {}, '{}')).toMatchObject({ statusCode: 204 });
    expect(calls).toBe(2);
  });

  it('refuses private and link-local addresses even in development, without trying to connect', async () => {
    const sender = new WebhookSender(2_000, 'loopback');
    for (const target of [
      'http://169.254.169.254/latest/meta-data/',
      'https://10.0.0.1/hook',
      'https://[fd00::1]/hook',
    ]) {
      const result = await sender.send(target, {}, '{}');
      expect(result).toMatchObject({ error: ADDRESS_NOT_ALLOWED });
      expect(result.durationMs).toBeLessThan(100);
    }
  });
});

describe('allowedAddressLookup', () => {
  const lookup = (policy: 'public' | 'loopback' | 'any', host: string, all: boolean) =>
    new Promise<{ error: NodeJS.ErrnoException | null; result: unknown }>((resolve) => {
      allowedAddressLookup(policy)(host, { all }, (error: NodeJS.ErrnoException | null, result: unknown) =>
        resolve({ error, result }),
      );
    });

  it('answers with the allowed addresses only, in either form net asks for', async () => {
    expect((await lookup('loopback', 'localhost', true)).result).toEqual(
      expect.arrayContaining([expect.objectContaining({ address: expect.stringMatching(/^(127\.0\.0\.1|::1)$/) })]),
    );
    const single = await lookup('loopback', 'localhost', false);
    expect(single.error).toBeNull();
    expect(single.result).toMatch(/^(127\.0\.0\.1|::1)$/);
  });

  it('fails with ADDRESS_NOT_ALLOWED when no address is allowed, and passes on a lookup failure', async () => {
    expect((await lookup('public', 'localhost', true)).error).toMatchObject({ code: ADDRESS_NOT_ALLOWED });
    expect((await lookup('public', 'no-such-host.invalid', false)).error).toMatchObject({
      code: expect.stringMatching(/^E[A-Z]+$/),
    });
  });
});
