import net from 'node:net';

export interface ProxyTarget {
  host: string;
  port: number;
}

/**
 * A loopback TCP proxy in front of PostgreSQL or RabbitMQ, so that a test or the chaos run can
 * take one app's server away without touching the server everyone else uses: `cut()` resets
 * every open connection and refuses new ones, as a stopped server would, until `restore()`.
 */
export class TcpProxy {
  private readonly sockets = new Set<net.Socket>();
  private readonly server: net.Server;
  private down = false;
  private listeningPort = 0;

  private constructor(target: ProxyTarget) {
    this.server = net.createServer((client) => this.accept(client, target));
  }

  static async start(target: ProxyTarget, listenPort = 0): Promise<TcpProxy> {
    const proxy = new TcpProxy(target);
    await new Promise<void>((resolve, reject) => {
      proxy.server.once('error', reject);
      proxy.server.listen(listenPort, '127.0.0.1', () => resolve());
    });
    const address = proxy.server.address();
    if (address === null || typeof address === 'string') throw new Error('proxy has no port');
    proxy.listeningPort = address.port;
    return proxy;
  }

  get port(): number {
    return this.listeningPort;
  }

  /** Rewrites a `postgres://` or `amqp://` URL so that it goes through this proxy. */
  rewrite(url: string): string {
    const parsed = new URL(url);
    parsed.hostname = '127.0.0.1';
    parsed.port = String(this.port);
    return parsed.toString();
  }

  get isDown(): boolean {
    return this.down;
  }

  get openConnections(): number {
    return this.sockets.size / 2;
  }

  /** Drops every connection (RST) and refuses new ones until `restore()`. */
  cut(): void {
    this.down = true;
    for (const socket of this.sockets) socket.resetAndDestroy();
    this.sockets.clear();
  }

  restore(): void {
    this.down = false;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: net.Socket, target: ProxyTarget): void {
    if (this.down) {
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect(target.port, target.host);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    this.sockets.add(client).add(upstream);
    const drop = () => {
      this.sockets.delete(client);
      this.sockets.delete(upstream);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
