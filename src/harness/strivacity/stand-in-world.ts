/**
 * The outside world of the stand-in's runtime: what a hook tried out in it reaches. Entra and
 * Dataverse answer from the recorded responses (`serveRecordedWrites`), plus the two addresses the
 * probe hook times: Entra's OpenID metadata (200) and the Dataverse Web API root (401 without a
 * token, as Dataverse answers). Set up for one try-out call and torn down after it.
 */
import nock from 'nock';
import { authorityOf, type ResolvedConfig } from '../../hook/config.js';
import { serveRecordedWrites } from '../stand-in.js';

/** Loopback stays reachable: the Admin API stand-in and its client talk over it. */
export function allowLoopback(): void {
  nock.enableNetConnect((host) => /^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/.test(host));
}

/** Serves the recorded world for `config`; the returned function removes it again. */
export function serveWorld(config: ResolvedConfig): () => void {
  const recorded = serveRecordedWrites(config);
  const authority = new URL(authorityOf(config));
  nock(authority.origin)
    .persist()
    .get(`${authority.pathname}/v2.0/.well-known/openid-configuration`)
    .reply(200, { issuer: `${authority.origin}${authority.pathname}/v2.0` });
  nock(config.dataverse.url)
    .persist()
    .get(`/api/data/v${config.dataverse.apiVersion}/`)
    .reply(401, '', { 'www-authenticate': 'Bearer authorization_uri=https://login.microsoftonline.com/common/oauth2/authorize' });
  allowLoopback();
  return () => {
    recorded.close();
    allowLoopback();
  };
}
