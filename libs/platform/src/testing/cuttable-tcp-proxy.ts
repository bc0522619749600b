import { createServer, Server, Socket } from 'node:net';

/**
 * A TCP relay in front of a server (PostgreSQL) that a test can cut (listener closed, connections
 * reset), freeze (a network partition: connections held open, nothing passes) and restore on the same port.
 */
export class CuttableTcpProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private frozen = false;

  private constructor(
    private readonly target: { host: string; port: number },
    public port = 0,
  ) {}

  static async start(target: { host: string; port: number }): Promise<CuttableTcpProxy> {
    const proxy = new CuttableTcpProxy(target);
    await proxy.restore();
    return proxy;
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
  }

  async restore(): Promise<void> {
    if (this.frozen) {
      // What the partition held is gone; new connections pass again.
      this.frozen = false;
      for (const socket of this.sockets) socket.resetAndDestroy();
    }
    if (this.server) return;
    const server = createServer((client) => {
      this.track(client);
      if (this.frozen) return;
      const upstream = new Socket();
      this.track(upstream);
      upstream.connect(this.target.port, this.target.host);
      client.on('data', (chunk) => this.frozen || upstream.write(chunk));
      upstream.on('data', (chunk) => this.frozen || client.write(chunk));
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server?.close(() => resolve()) ?? resolve());
    for (const socket of this.sockets) socket.resetAndDestroy();
    await closed;
  }

  /** From now on no byte passes either way, and new connections are accepted but never answered. */
  freeze(): void {
    this.frozen = true;
  }
}
