/**
 * The command line behind a proxy: doctor's token request (msal-node, fetch) and Dataverse probes
 * (dynamics-web-api, node:https) go through a local CONNECT proxy that counts its tunnels, to a
 * local HTTPS stand-in; NO_PROXY sends Dataverse directly; Dataverse sees its own Host header.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import https from 'node:https';
import { syncBuiltinESMExports } from 'node:module';
import { connect, type Socket } from 'node:net';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runDoctor } from '../../src/cli/commands/doctor/doctor.js';
import { tryRegistration } from '../../src/cli/commands/try/try.js';
import { registrationPayload } from '../../src/harness/run-hook.js';
import { bypassesProxy, useProxyFromEnvironment } from '../../src/cli/proxy.js';
import { createSelfSignedCertificate } from '../../src/harness/self-signed.js';
import { readFixture } from '../../src/harness/stand-in.js';
import { BASE_CONFIG, SECRET } from '../support/helpers.js';

const certificate = createSelfSignedCertificate();
// The stand-in's certificate names 127.0.0.1; through the tunnel it also answers for Entra's host.
// A name, not the IP, as TLS server name: Node deprecates an IP there (DEP0123).
const TARGET_TLS = { ca: certificate.certPem, checkServerIdentity: () => undefined, servername: 'localhost' };
const hostHeaders: string[] = [];
const tunnels: string[] = [];
const sockets = new Set<Socket>();
let target: https.Server;
let proxy: Server;
let targetPort = 0;
let proxyUrl = '';

function reply(request: IncomingMessage): unknown {
  const url = request.url ?? '';
  if (request.method === 'POST' && url.includes('/oauth2/v2.0/token')) return readFixture('token.json');
  if (url.includes('/WhoAmI')) return readFixture('dataverse-whoami.json');
  if (url.includes('/EntityDefinitions')) return readFixture('dataverse-contact-attributes.json');
  if (url.includes('RetrieveUserPrivileges')) return readFixture('dataverse-user-privileges.json');
  return readFixture(url.includes('dynamics-hook-doctor') ? 'contacts-none.json' : 'contacts-one.json');
}

beforeAll(async () => {
  target = https.createServer({ cert: certificate.certPem, key: certificate.keyPem }, (request, response) => {
    if (!(request.url ?? '').includes('/oauth2/')) hostHeaders.push(String(request.headers.host));
    request.resume();
    request.on('end', () => {
      response.writeHead(200, { 'content-type': 'application/json; odata.metadata=minimal' });
      response.end(JSON.stringify(reply(request)));
    });
  });
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
  targetPort = (target.address() as { port: number }).port;
  proxy = createHttpServer();
  // Every tunnel, whatever host it asks for, ends at the local stand-in: nothing leaves the machine.
  proxy.on('connect', (request, client: Socket, head: Buffer) => {
    tunnels.push(request.url ?? '');
    const upstream = connect(targetPort, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => socket.destroy());
      socket.on('close', () => sockets.delete(socket));
    }
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as { port: number }).port}`;
  // nock's interceptors would stand between the clients and the proxy (and cannot pass an
  // https-proxy-agent request through): off for this file, back on after it.
  nock.restore();
});

afterEach(() => {
  hostHeaders.length = 0;
  tunnels.length = 0;
});

afterAll(async () => {
  nock.activate();
  // test/setup.ts's reason: ESM namespaces of node:http(s) must see nock's patch again.
  syncBuiltinESMExports();
  for (const socket of sockets) socket.destroy();
  await Promise.all([new Promise((resolve) => target.close(resolve)), new Promise((resolve) => proxy.close(resolve))]);
});

const config = () => ({ ...BASE_CONFIG, dataverse: { url: `https://127.0.0.1:${targetPort}` } });
const readSecret = () => SECRET;

describe('behind HTTPS_PROXY', () => {
  it('doctor reaches Entra and Dataverse through the proxy, and Dataverse sees its own Host', async () => {
    const restore = useProxyFromEnvironment({ HTTPS_PROXY: proxyUrl }, { targetTls: TARGET_TLS });
    try {
      const report = await runDoctor(config(), { readSecret });
      expect(report.steps.map((step) => `${step.step}:${step.status}`)).toEqual([
        'config:ok',
        'secret:ok',
        'discovery:skip',
        'token:ok',
        'whoami:ok',
        'read:ok',
        'columns:ok',
        'privileges:ok',
      ]);
    } finally {
      restore();
    }
    expect(tunnels).toContain('login.microsoftonline.com:443');
    expect(tunnels).toContain(`127.0.0.1:${targetPort}`);
    expect(hostHeaders.length).toBeGreaterThanOrEqual(4);
    expect(new Set(hostHeaders)).toEqual(new Set([`127.0.0.1:${targetPort}`]));
  });

  it('NO_PROXY sends Dataverse directly while Entra still goes through the proxy', async () => {
    const restore = useProxyFromEnvironment({ HTTPS_PROXY: proxyUrl, NO_PROXY: 'localhost,127.0.0.1' }, { targetTls: TARGET_TLS });
    try {
      expect((await runDoctor(config(), { readSecret })).ok).toBe(true);
    } finally {
      restore();
    }
    expect(tunnels).toEqual(['login.microsoftonline.com:443']);
    expect(new Set(hostHeaders)).toEqual(new Set([`127.0.0.1:${targetPort}`]));
  });

  it('try --live runs the built hooks through the proxy: both answer from the environment behind it', async () => {
    const restore = useProxyFromEnvironment({ HTTPS_PROXY: proxyUrl }, { targetTls: TARGET_TLS });
    process.env['DYNAMICS_CLIENT_SECRET'] = SECRET;
    try {
      const payload = registrationPayload('ada.lovelace@example.com');
      const pre = await tryRegistration({ hook: 'pre-registration', live: true, payload, rawConfig: config() });
      const post = await tryRegistration({ hook: 'post-registration', live: true, payload, rawConfig: config() });
      expect([pre.decision, pre.reason, post.decision, post.reason]).toEqual(['allow', 'matched', 'unchanged', 'email_match']);
    } finally {
      delete process.env['DYNAMICS_CLIENT_SECRET'];
      restore();
    }
    expect(tunnels).toContain('login.microsoftonline.com:443');
    expect(tunnels).toContain(`127.0.0.1:${targetPort}`);
    expect(new Set(hostHeaders)).toEqual(new Set([`127.0.0.1:${targetPort}`]));
  });

  it('undoes itself: the request function and https_proxy are as before', () => {
    const before = https.request;
    const restore = useProxyFromEnvironment({ https_proxy: proxyUrl });
    expect(https.request).not.toBe(before);
    expect(process.env['https_proxy']).toBe(proxyUrl);
    restore();
    expect(https.request).toBe(before);
    expect(process.env['https_proxy']).toBeUndefined();
  });

  it('without a proxy variable nothing changes', () => {
    const before = https.request;
    useProxyFromEnvironment({})();
    expect(https.request).toBe(before);
  });

  it('a malformed HTTPS_PROXY is a usage error that does not print the value', () => {
    expect(() => useProxyFromEnvironment({ HTTPS_PROXY: 'proxy example:8080' })).toThrow(
      'HTTPS_PROXY is not a URL; set it like http://proxy.example.com:8080 (the value is not shown).',
    );
    expect(() => useProxyFromEnvironment({ HTTPS_PROXY: 'socks5://proxy:1080' })).toThrow('HTTPS_PROXY must start with http:// or https://.');
  });
});

describe('NO_PROXY matching', () => {
  it.each([
    ['contoso.crm4.dynamics.com', 443, '.dynamics.com', true],
    ['contoso.crm4.dynamics.com', 443, '*.dynamics.com', true],
    ['contoso.crm4.dynamics.com', 443, 'dynamics.com', true],
    ['contoso.crm4.dynamics.com', 443, 'crm4.dynamics.com:443', true],
    ['contoso.crm4.dynamics.com', 443, 'crm4.dynamics.com:8443', false],
    ['notdynamics.com', 443, 'dynamics.com', false],
    ['login.microsoftonline.com', 443, '*', true],
    ['login.microsoftonline.com', 443, '', false],
  ])('%s:%i with NO_PROXY=%j bypasses the proxy: %s', (host, port, noProxy, expected) => {
    expect(bypassesProxy(host, port, noProxy)).toBe(expected);
  });
});
