import { connect, createServer, type Server, type Socket } from 'node:net';

/** A TCP proxy on the loopback that a test can take down and bring back, to play an outage. */
export interface TcpProxy {
  /** `http://127.0.0.1:<port>`: use it as the endpoint instead of the target's. */
  readonly endpoint: string;
  /** Refuses new connections and cuts the open ones, as a dead endpoint would. */
  down(): Promise<void>;
  /** Listens again on the same port. */
  up(): Promise<void>;
  /**
   * Plays a frozen endpoint (a SIGSTOPped process, a half-open connection): new connections are
   * accepted and never answered, and open ones stop carrying bytes either way. Nothing is refused or
   * cut, so only a client's own time limits end its calls.
   */
  freeze(): void;
  /**
   * Ends a freeze: every connection open during it is cut (as a load balancer drops a stale
   * session), so no request written while frozen reaches the target late; new ones go through.
   */
  thaw(): void;
  close(): Promise<void>;
}

/**
 * Starts a proxy from a free loopback port to `target` (`http://host:port`). While it is down, the
 * port refuses connections, so SDK calls fail at once with ECONNREFUSED.
 */
export async function startTcpProxy(target: string): Promise<TcpProxy> {
  const { hostname, port: targetPort } = new URL(target);
  const sockets = new Set<Socket>();
  /** Connections accepted while frozen: held, unanswered, until the thaw closes them. */
  const held = new Set<Socket>();
  let isFrozen = false;
  let server: Server | undefined;
  let port = 0;
  const listen = async () => {
    const next = createServer((client) => {
      if (isFrozen) {
        held.add(client);
        client.pause();
        client.on('error', () => {});
        client.on('close', () => held.delete(client));
        return;
      }
      const upstream = connect(Number(targetPort), hostname);
      for (const socket of [client, upstream]) {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        socket.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      next.once('error', reject);
      next.listen(port, '127.0.0.1', () => resolve());
    });
    const address = next.address();
    if (address && typeof address === 'object') port = address.port;
    server = next;
  };
  const down = async () => {
    const current = server;
    server = undefined;
    for (const socket of sockets) socket.destroy();
    if (current) await new Promise<void>((resolve) => current.close(() => resolve()));
  };
  await listen();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    down,
    up: async () => {
      if (!server) await listen();
    },
    close: async () => {
      for (const socket of held) socket.destroy();
      await down();
    },
    freeze: () => {
      isFrozen = true;
      for (const socket of sockets) socket.pause();
    },
    thaw: () => {
      isFrozen = false;
      for (const socket of [...sockets, ...held]) socket.destroy();
    },
  };
}
