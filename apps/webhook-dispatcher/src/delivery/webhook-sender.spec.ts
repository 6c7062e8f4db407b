import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebhookSender } from './webhook-sender';

/** A real local receiver; each test says how it answers. */
function receiver(handle: (req: IncomingMessage, res: ServerResponse, body: string) => void): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => handle(req, res, body));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, server })));
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
    const result = await new WebhookSender(2_000).send(url, { 'content-type': 'application/json', 'passerelle-delivery-id': 'd-1' }, '{"a":1}');
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
    const sender = new WebhookSender(2_000);
    expect(await sender.send(url, {}, '{}')).toMatchObject({ statusCode: 503 });
    expect(await sender.send(url, {}, '{}')).toMatchObject({ statusCode: 302 });
    expect(calls).toBe(2);
  });

  it('gives up after the timeout on a receiver that never answers', async () => {
    const { url, server } = await receiver(() => undefined);
    servers.push(server);
    const result = await new WebhookSender(300).send(url, {}, '{}');
    expect(result).toMatchObject({ error: 'timeout' });
    expect(result.durationMs).toBeGreaterThanOrEqual(250);
    expect(result.durationMs).toBeLessThan(2_000);
  });

  it('names a refused connection by its code, without the URL', async () => {
    const { url, server } = await receiver((_req, res) => res.end());
    await new Promise((resolve) => server.close(resolve));
    const result = await new WebhookSender(2_000).send(url, {}, '{}');
    expect(result).toMatchObject({ error: 'ECONNREFUSED' });
  });
});
