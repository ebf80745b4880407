/**
 * `HTTPS_PROXY` / `https_proxy` and `NO_PROXY` / `no_proxy` for the command line's calls to Entra ID
 * and Dataverse (the pasted hook is not affected: nothing in src/hook/ changes, and Strivacity's
 * runtime is not behind the operator's proxy).
 *
 * - Entra ID and the Global Discovery Service: msal-node and `discovery.ts` use Node's global
 *   `fetch`, which takes its dispatcher from undici's global slot (shared by Node's bundled undici
 *   and the package); `ProxyRouter` there sends each fetch through the proxy or, for a NO_PROXY
 *   host, directly. (undici's own EnvHttpProxyAgent would do the same, but prints an
 *   "experimental" warning to the operator.)
 * - Dataverse: dynamics-web-api 2.5 has no agent option. It reads only the lower-case
 *   `https_proxy`, ignores NO_PROXY, and, through a proxy, sets the Host header to the PROXY's host
 *   (src/client/http.ts: `httpHeaders.host = new URL(options.proxy.url).host`), which the
 *   environment behind the tunnel would see instead of its own name. So `https_proxy` is set for
 *   it, and each of its proxied requests is repaired as it is made: Host set back to the target,
 *   and a host listed in NO_PROXY sent directly instead.
 */
import https from 'node:https';
import { syncBuiltinESMExports } from 'node:module';
import type { ConnectionOptions } from 'node:tls';
import { Agent, Dispatcher, getGlobalDispatcher, ProxyAgent, setGlobalDispatcher } from 'undici';
import { UsageError } from './errors.js';

export interface ProxySeams {
  /** Test only: TLS options for the connection to the target through the tunnel (a local CA). */
  readonly targetTls?: Pick<ConnectionOptions, 'ca' | 'checkServerIdentity' | 'servername'>;
}

/** The proxy URL from the environment (upper case first, as curl), or undefined. */
export function httpsProxyOf(env: NodeJS.ProcessEnv): string | undefined {
  const value = (env['HTTPS_PROXY'] ?? env['https_proxy'])?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/** True when NO_PROXY lists `host` (exactly, as a parent domain, `.domain`, `*.domain`, with or without `:port`, or `*`). */
export function bypassesProxy(host: string, port: number, noProxy: string | undefined): boolean {
  const entries = (noProxy ?? '')
    .split(/[,\s]+/)
    .map((entry) => entry.trim().toLowerCase())
    .filter((entry) => entry !== '');
  const name = host.toLowerCase().replace(/^\[|\]$/g, '');
  return entries.some((entry) => {
    if (entry === '*') return true;
    const [entryHost = '', entryPort] = /^\[?([^\]]*?)\]?(?::(\d+))?$/.exec(entry)?.slice(1) ?? [];
    if (entryPort !== undefined && Number(entryPort) !== port) return false;
    const domain = entryHost.replace(/^\*?\./, '');
    return name === domain || name.endsWith(`.${domain}`);
  });
}

type RequestFunction = typeof https.request;

/**
 * Routes the process's Entra and Dataverse calls through the proxy named by the environment; a
 * no-op when none is set. Returns the function that undoes it. A proxy URL that is not http(s) is
 * a usage error; the value is never printed (it may hold a password).
 */
export function useProxyFromEnvironment(env: NodeJS.ProcessEnv = process.env, seams: ProxySeams = {}): () => void {
  const proxy = httpsProxyOf(env);
  if (proxy === undefined) return () => undefined;
  let parsed: URL;
  try {
    parsed = new URL(proxy);
  } catch {
    throw new UsageError('HTTPS_PROXY is not a URL; set it like http://proxy.example.com:8080 (the value is not shown).');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new UsageError('HTTPS_PROXY must start with http:// or https://.');
  const noProxy = env['NO_PROXY'] ?? env['no_proxy'];

  const previousDispatcher: Dispatcher = getGlobalDispatcher();
  const dispatcher = new ProxyRouter(proxy, noProxy, seams);
  setGlobalDispatcher(dispatcher);

  const previousLowerCase = process.env['https_proxy'];
  process.env['https_proxy'] = proxy;
  const originalRequest = https.request;
  const direct = new https.Agent({ keepAlive: true });
  const repaired = function (this: unknown, ...args: Parameters<RequestFunction>) {
    const options = args[0] as https.RequestOptions | string | URL;
    if (typeof options === 'object' && !(options instanceof URL) && isLibraryProxyAgent(options.agent)) {
      const host = options.hostname ?? 'localhost';
      const port = Number(options.port || 443);
      options.headers = { ...options.headers, host: port === 443 ? host : `${host}:${port}` };
      if (bypassesProxy(host, port, noProxy)) options.agent = direct;
      if (seams.targetTls !== undefined) Object.assign(options, seams.targetTls);
    }
    return Reflect.apply(originalRequest, this, args) as ReturnType<RequestFunction>;
  } as RequestFunction;
  https.request = repaired;
  // dynamics-web-api's ESM build holds `import * as https`: the namespace must see the wrapper.
  syncBuiltinESMExports();

  return () => {
    setGlobalDispatcher(previousDispatcher);
    void dispatcher.close();
    if (previousLowerCase === undefined) delete process.env['https_proxy'];
    else process.env['https_proxy'] = previousLowerCase;
    if (https.request === repaired) {
      https.request = originalRequest;
      syncBuiltinESMExports();
    }
    direct.destroy();
  };
}

/** The https-proxy-agent that dynamics-web-api creates for `https_proxy` (the only proxy agent in this process). */
function isLibraryProxyAgent(agent: unknown): boolean {
  return typeof agent === 'object' && agent !== null && agent.constructor.name === 'HttpsProxyAgent';
}

/** undici's ProxyAgent for every origin, except those NO_PROXY lists, which get a direct Agent. */
class ProxyRouter extends Dispatcher {
  readonly #proxied: ProxyAgent;
  readonly #direct: Agent;
  readonly #noProxy: string | undefined;

  constructor(proxy: string, noProxy: string | undefined, seams: ProxySeams) {
    super();
    const tls = seams.targetTls === undefined ? {} : seams.targetTls;
    this.#proxied = new ProxyAgent({ uri: proxy, requestTls: tls });
    this.#direct = new Agent({ connect: tls });
    this.#noProxy = noProxy;
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandlers): boolean {
    const origin = new URL(String(options.origin));
    const port = Number(origin.port || (origin.protocol === 'http:' ? 80 : 443));
    return (bypassesProxy(origin.hostname, port, this.#noProxy) ? this.#direct : this.#proxied).dispatch(options, handler);
  }

  override async close(): Promise<void> {
    await Promise.all([this.#proxied.close(), this.#direct.close()]);
  }

  override async destroy(): Promise<void> {
    await Promise.all([this.#proxied.destroy(), this.#direct.destroy()]);
  }
}
