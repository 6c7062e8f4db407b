import { connect, createServer, type Server, type Socket } from 'node:net';

interface Pair {
  client: Socket;
  upstream: Socket;
}

/**
 * A TCP relay between the apps and a server (PostgreSQL in the fault suite), so a test can make
 * the server unreachable for the apps without touching the server, which other suites share.
 * `cut()` resets every relayed connection and every new one until `restore()`; the listening
 * port stays the same throughout, so the apps' connection URL never changes.
 */
export class TcpProxy {
  private server?: Server;
  private readonly pairs = new Set<Pair>();
  private refusing = false;
  private listeningPort = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  /** Listens on 127.0.0.1 (`port` 0: a free one) and resolves with the port. */
  async listen(port = 0): Promise<number> {
    const server = createServer((client) => this.accept(client));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    this.listeningPort = typeof address === 'object' && address ? address.port : 0;
    return this.listeningPort;
  }

  get port(): number {
    return this.listeningPort;
  }

  /** Connections relayed right now. */
  get connections(): number {
    return this.pairs.size;
  }

  /**
   * The local ports of the relay's connections to the target: what the server sees as client
   * ports (PostgreSQL's `pg_stat_activity.client_port`), to find the backends behind this proxy.
   */
  upstreamPorts(): number[] {
    return [...this.pairs].map((p) => p.upstream.localPort).filter((port): port is number => port !== undefined);
  }

  /**
   * The server becomes unreachable: every open connection is reset on both sides, and every new
   * one is reset as soon as it is accepted (the listener stays, so the port is not lost).
   */
  cut(): void {
    this.refusing = true;
    for (const pair of this.pairs) this.drop(pair);
  }

  /** New connections are relayed again. */
  restore(): void {
    this.refusing = false;
  }

  async close(): Promise<void> {
    this.cut();
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    this.server = undefined;
  }

  private accept(client: Socket): void {
    if (this.refusing) {
      client.on('error', () => undefined);
      abort(client);
      return;
    }
    const upstream = connect(this.target.port, this.target.host);
    const pair = { client, upstream };
    this.pairs.add(pair);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    client.pipe(upstream);
    upstream.pipe(client);
    // A side that fails resets the other; a side that closes closes the other once what it sent
    // is through (a server ending a session, pg_terminate_backend, sends its reason first).
    for (const socket of [client, upstream]) {
      socket.on('error', () => this.drop(pair));
      socket.on('close', () => {
        if (!this.pairs.delete(pair)) return;
        for (const other of [client, upstream]) if (!other.destroyed) other.destroySoon();
      });
    }
  }

  private drop(pair: Pair): void {
    if (!this.pairs.delete(pair)) return;
    for (const socket of [pair.client, pair.upstream]) abort(socket);
  }
}

/**
 * A reset, not a polite FIN: the peer learns at once that the connection is gone. Not on a socket
 * already ending or still connecting: Node 20's `resetAndDestroy()` then fails (EINVAL) and leaks
 * the handle, which makes the process spin at exit; a plain destroy does there.
 */
function abort(socket: Socket): void {
  if (socket.destroyed) return;
  if (socket.writableEnded || socket.connecting) socket.destroy();
  else socket.resetAndDestroy();
}
