/**
 * A small hostile Admin API on a loopback port, for what the stand-in (which follows the published
 * documents) never answers: escape sequences in ids and timestamps, nulls, endless paging,
 * redirects. The token endpoint grants every scope; every other request goes to `answer`.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ALL_SCOPES } from '../../../src/harness/strivacity/admin-stand-in.js';

export interface HostileAnswer {
  readonly status?: number;
  readonly headers?: Record<string, string>;
  readonly body?: unknown;
}

export interface HostileServer {
  readonly url: string;
  /** `METHOD path?query` of each request, token requests included. */
  readonly requests: string[];
  close(): Promise<void>;
}

export async function startHostileServer(
  answer: (request: { method: string; path: string; url: URL; body: string }) => HostileAnswer,
  options: { tokenAnswer?: HostileAnswer } = {},
): Promise<HostileServer> {
  const requests: string[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const method = req.method ?? 'GET';
      requests.push(`${method} ${url.pathname}${url.search}`);
      const token: HostileAnswer = { body: { access_token: 'hostile-token-0123456789', expires_in: 3600, scope: ALL_SCOPES.join(' '), token_type: 'bearer' } };
      const reply =
        url.pathname === '/oauth2/token'
          ? (options.tokenAnswer ?? token)
          : answer({ method, path: url.pathname, url, body: Buffer.concat(chunks).toString('utf8') });
      const text = reply.body === undefined ? '' : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
      res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers }).end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
