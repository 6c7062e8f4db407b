import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhook, WebhookVerificationError } from '@passerelle/client';
import type { Gateway } from './gateway-calls';

/** A provider's subscription, as the gateway answered its registration. */
interface Subscription {
  id: string;
  secret: string;
  token: string;
}

/**
 * The providers' side of webhooks in the demo: one receiver on this machine's loopback, a
 * subscription per provider to its new referrals (`routed`), each delivery checked with the SDK's
 * `verifyWebhook` against that provider's own secret, as a provider's system would. What it counts
 * is what the demo prints: referrals each provider was told of, and deliveries that failed the check.
 */
export class ProviderWebhookInbox {
  private readonly server: Server = createServer((req, res) => {
    void this.receive(req).then((status) => res.writeHead(status).end());
  });
  private readonly subscriptions = new Map<string, Subscription>();
  /** Referral ids each provider was told of, by verified webhook. */
  readonly told = new Map<string, Set<string>>();
  /** Deliveries whose signature or body did not verify (should stay 0). */
  refused = 0;

  constructor(private readonly gateway: Gateway) {}

  /** Starts the receiver and registers one subscription per provider. */
  async open(providers: readonly string[], tokenOf: (org: string) => Promise<string>): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    for (const provider of providers) {
      const token = await tokenOf(provider);
      const { id, secret } = (await this.gateway.post('/v1/webhooks', token, {
        url: `http://127.0.0.1:${port}/${encodeURIComponent(provider)}`,
        changes: ['routed'],
      })) as { id: string; secret: string };
      this.subscriptions.set(provider, { id, secret, token });
    }
  }

  /** Referrals told to their provider so far, of those `routedTo` says were routed. */
  toldOf(routedTo: ReadonlyMap<string, string>): number {
    let n = 0;
    for (const [referralId, provider] of routedTo) if (this.told.get(provider)?.has(referralId)) n += 1;
    return n;
  }

  /** Waits until every routed referral was told to its provider, or `timeoutMs` passes. */
  async awaitAll(routedTo: ReadonlyMap<string, string>, timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    // Deliveries arrive as HTTP requests: re-count after each one rather than on a timer.
    while (this.toldOf(routedTo) < routedTo.size && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
        this.server.once('request', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.toldOf(routedTo);
  }

  /** Deletes the subscriptions (a later run's receiver listens elsewhere) and stops the receiver. */
  async close(): Promise<void> {
    for (const { id, token } of this.subscriptions.values()) await this.gateway.delete(`/v1/webhooks/${id}`, token);
    this.subscriptions.clear();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private async receive(req: IncomingMessage): Promise<number> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const provider = decodeURIComponent((req.url ?? '/').slice(1));
    const subscription = this.subscriptions.get(provider);
    if (subscription === undefined) return 404;
    try {
      const { notification } = verifyWebhook(subscription.secret, req.headers, Buffer.concat(chunks));
      if (notification.change === 'routed') {
        const told = this.told.get(provider) ?? new Set<string>();
        told.add(notification.referralId);
        this.told.set(provider, told);
      }
      return 204;
    } catch (error) {
      if (!(error instanceof WebhookVerificationError)) throw error;
      this.refused += 1;
      return 400;
    }
  }
}
