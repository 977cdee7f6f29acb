import { createServer, Socket, type Server } from 'node:net';

/**
 * A TCP proxy in front of a real service, for tests that need a dependency which accepts connections and then
 * never answers (`hang()`), or answers slowly (`delayMs`), without touching the shared services.
 */
export class TcpProxy {
  /** Replies from the target are held this long before they reach the client. */
  delayMs = 0;
  private hung = false;
  /** Replies from the target held back by `delayMs`, not yet passed on. */
  private readonly held = new Set<Buffer>();
  private readonly pairs = new Set<[Socket, Socket]>();
  /** Black-holed connections, destroyed only on close(). */
  private readonly lost = new Set<[Socket, Socket]>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static start(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
    return new Promise((ok, fail) => {
      let proxy: TcpProxy;
      const server = createServer((client) => {
        const upstream = new Socket();
        const pair: [Socket, Socket] = [client, upstream];
        proxy.pairs.add(pair);
        const end = () => {
          client.destroy();
          upstream.destroy();
          proxy.pairs.delete(pair);
        };
        client.on('error', end).on('close', end);
        upstream.on('error', end).on('close', end);
        client.on('data', (d) => upstream.write(d));
        upstream.on('data', (d) => {
          if (proxy.delayMs > 0) {
            proxy.held.add(d);
            setTimeout(() => {
              proxy.held.delete(d);
              if (client.writable) client.write(d);
            }, proxy.delayMs);
          } else client.write(d);
        });
        if (proxy.hung) {
          client.pause();
          upstream.pause();
        }
        upstream.connect(targetPort, targetHost);
      });
      server.once('error', fail);
      server.listen(0, '127.0.0.1', () => {
        const a = server.address();
        proxy = new TcpProxy(server, typeof a === 'object' && a ? a.port : 0);
        ok(proxy);
      });
    });
  }

  /**
   * How many replies `delayMs` is holding back now, those containing `text` only if given: evidence that a request
   * reached the target and is waiting on its (delayed) answer.
   */
  heldReplies(text?: string): number {
    let n = 0;
    for (const d of this.held) if (text === undefined || d.includes(text)) n += 1;
    return n;
  }

  /** Connections stay open, nothing is forwarded either way: a dependency that accepts and never answers. */
  hang(): void {
    this.hung = true;
    for (const [c, u] of this.pairs) {
      c.pause();
      u.pause();
    }
  }

  /**
   * The connections open now go silent for good (a peer lost without a reset: nothing forwarded, nothing closed);
   * new connections pass through normally.
   */
  blackholeExisting(): void {
    for (const [c, u] of this.pairs) {
      c.pause();
      u.pause();
      this.lost.add([c, u]);
    }
    this.pairs.clear();
  }

  resume(): void {
    this.hung = false;
    for (const [c, u] of this.pairs) {
      c.resume();
      u.resume();
    }
  }

  close(): Promise<void> {
    for (const [c, u] of [...this.pairs, ...this.lost]) {
      c.destroy();
      u.destroy();
    }
    return new Promise((ok) => this.server.close(() => ok()));
  }
}
