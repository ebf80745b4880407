/**
 * The Dataverse stand-ins of the burst runs (`burst.ts`): local servers that count the TCP
 * connections they accept, so a burst's cost in connections is measured where Dataverse would see it.
 */
import { readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { PROJECT_ROOT } from './support.js';

/** A local Dataverse stand-in that counts what reaches it. */
export interface BurstServer {
  readonly url: string;
  /** TCP connections accepted so far, and the most open at once. */
  readonly connections: { opened: number; maxOpen: number };
  close(): Promise<void>;
}

function countConnections(server: Server, connections: { opened: number; maxOpen: number }): void {
  let open = 0;
  server.on('connection', (socket: Socket) => {
    connections.opened += 1;
    open += 1;
    connections.maxOpen = Math.max(connections.maxOpen, open);
    socket.on('close', () => (open -= 1));
    socket.on('error', () => undefined);
  });
}

async function listen(server: Server, connections: BurstServer['connections']): Promise<BurstServer> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `https://127.0.0.1:${port}`,
    connections,
    close: () =>
      new Promise<void>((resolve) => {
        (server as Server & { closeAllConnections?: () => void }).closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

/** Accepts every connection and never sends a byte: the client waits in its TLS handshake. */
export function startHangingServer(): Promise<BurstServer> {
  const connections = { opened: 0, maxOpen: 0 };
  const sockets = new Set<Socket>();
  const server = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.resume();
  });
  countConnections(server, connections);
  Object.assign(server, { closeAllConnections: () => sockets.forEach((socket) => socket.destroy()) });
  return listen(server, connections);
}

/** Answers every request with Dataverse's service-protection 429 and `Retry-After: 0`. */
export function startThrottlingServer(tls: { certPem: string; keyPem: string }): Promise<BurstServer> {
  const connections = { opened: 0, maxOpen: 0 };
  const body = readFileSync(join(PROJECT_ROOT, 'src/harness/recorded/dataverse-429.json'), 'utf8');
  const server = createHttpsServer({ key: tls.keyPem, cert: tls.certPem, keepAliveTimeout: 60_000 }, (req, res) => {
    req.resume();
    res.writeHead(429, { 'content-type': 'application/json; odata.metadata=minimal', 'retry-after': '0', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  countConnections(server, connections);
  return listen(server, connections);
}
