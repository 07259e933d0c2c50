/**
 * CORS at the router: the exact preflight and actual request a browser sends for
 * `fetch(url, { method: 'POST', credentials: 'include', headers: { 'content-type':
 * 'application/json', authorization } })` from a page on another origin, and what it needs back;
 * disallowed origins; the production default; wildcard ports that cannot be fooled; and Apollo's
 * CSRF guard still standing for everything that is not an allowed preflight.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '@fashionistar/shared/edge';
import { loadRouterConfig, corsOrigins } from '../src/config';
import { CORS_ALLOW_HEADERS, originAllowed, parseCorsOrigins } from '../src/cors';
import { startEdgeFixture, type EdgeFixture } from './edge-fixture';

const PAGE = 'http://localhost:3000';

/** What Chromium sends before a credentialed JSON POST with a bearer token. */
const preflight = (url: string, origin: string, requestHeaders = 'authorization,content-type') =>
  fetch(url, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': requestHeaders },
  });

const corsHeaders = (res: Response) => [...res.headers.keys()].filter((k) => k.startsWith('access-control-'));

describe('CORS origins', () => {
  it('accepts scheme://host[:port] entries with "*" only as the port, and refuses everything else at config load', () => {
    assert.deepEqual(parseCorsOrigins('https://shop.example.com, http://localhost:*,http://[::1]:8080'), [
      { scheme: 'https', host: 'shop.example.com', port: null },
      { scheme: 'http', host: 'localhost', port: '*' },
      { scheme: 'http', host: '[::1]', port: 8080 },
    ]);
    for (const bad of [
      '*',
      'http://*',
      'http://*.example.com',
      'https://example.com/',
      'https://example.com/app',
      'example.com',
      'ftp://example.com',
      'null',
      'http://localhost:*3',
      'http://localhost:70000',
      'http://user@example.com',
      'http://example.com?x',
    ]) {
      assert.throws(() => parseCorsOrigins(bad), /not origins/, bad);
    }
    assert.throws(
      () => loadRouterConfig({ CORS_ORIGINS: 'http://localhost:*,https://*.example.com,https://ok.example.com/' }),
      (e: unknown) =>
        e instanceof ConfigError && /CORS_ORIGINS.*"https:\/\/\*\.example\.com", "https:\/\/ok\.example\.com\/"/.test(e.message),
    );
  });

  it('defaults to local dev servers outside production and to none in production', () => {
    const dev = corsOrigins(loadRouterConfig({ NODE_ENV: 'development' }));
    assert.equal(originAllowed('http://localhost:5173', dev), true);
    assert.equal(originAllowed('http://127.0.0.1:3000', dev), true);
    assert.equal(originAllowed('https://shop.example.com', dev), false);
    const prod = corsOrigins(loadRouterConfig({ NODE_ENV: 'production', ROUTER_SECRET: 's' }));
    assert.deepEqual(prod, []);
    assert.equal(originAllowed('http://localhost:3000', prod), false);
    const set = corsOrigins(loadRouterConfig({ NODE_ENV: 'production', ROUTER_SECRET: 's', CORS_ORIGINS: 'https://shop.example.com' }));
    assert.equal(originAllowed('https://shop.example.com', set), true);
    assert.equal(originAllowed('https://shop.example.com:443', set), true, 'the default port written out is the same origin');
    assert.equal(originAllowed('https://shop.example.com:8443', set), false);
    assert.equal(originAllowed('http://shop.example.com', set), false);
  });

  it('matches a wildcard port only on exactly that scheme and host', () => {
    const allowed = parseCorsOrigins('http://localhost:*');
    assert.equal(originAllowed('http://localhost:3000', allowed), true);
    assert.equal(originAllowed('http://localhost', allowed), true);
    for (const fooling of [
      'http://localhost:3000.evil.com',
      'http://localhost.evil.com:3000',
      'http://evil.com:3000',
      'http://localhost:3000@evil.com',
      'http://evil.com/http://localhost:3000',
      'http://localhost:3000/',
      'https://localhost:3000',
      'null',
      '',
      'http://localhost:*',
      'http://localhost:3000, http://evil.com',
    ]) {
      assert.equal(originAllowed(fooling, allowed), false, fooling);
    }
  });
});

describe('CORS through the router', () => {
  let f: EdgeFixture;
  before(async () => {
    f = await startEdgeFixture();
  });
  after(() => f.stop());

  it('answers an allowed preflight with 204 and everything a credentialed fetch needs', async () => {
    const res = await preflight(f.router.url, PAGE);
    assert.equal(res.status, 204);
    assert.equal(res.headers.get('access-control-allow-origin'), PAGE);
    assert.equal(res.headers.get('access-control-allow-credentials'), 'true');
    assert.equal(res.headers.get('access-control-allow-methods'), 'GET, POST, OPTIONS');
    const allowedHeaders = res.headers.get('access-control-allow-headers')!.split(/,\s*/);
    for (const h of [
      'authorization',
      'content-type',
      'apollo-require-preflight',
      'x-apollo-operation-name',
      'apollographql-client-name',
      'apollographql-client-version',
      'x-request-id',
    ]) {
      assert.ok(allowedHeaders.includes(h), h);
    }
    assert.equal(res.headers.get('access-control-allow-headers'), CORS_ALLOW_HEADERS);
    assert.equal(res.headers.get('access-control-max-age'), '600');
    assert.match(res.headers.get('vary') ?? '', /Origin/);
    assert.equal(await res.text(), '');
  });

  it('answers the actual request with the origin, credentials and the headers scripts may read', async () => {
    const res = await f.post({ query: '{ products { name } }' }, { origin: PAGE, 'x-request-id': 'req-42' });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { data: { products: [{ name: 'Ankara dress' }] } });
    assert.equal(res.headers.get('access-control-allow-origin'), PAGE);
    assert.equal(res.headers.get('access-control-allow-credentials'), 'true');
    assert.equal(res.headers.get('access-control-expose-headers'), 'x-request-id, retry-after, www-authenticate');
    assert.match(res.headers.get('vary') ?? '', /Origin/);
    assert.equal(res.headers.get('x-request-id'), 'req-42');
    // Mutations too, and error answers (a 401 must be readable, or the page cannot refresh).
    const mutation = await f.post({ query: 'mutation { logout }' }, { origin: PAGE });
    assert.equal(mutation.headers.get('access-control-allow-origin'), PAGE);
    const refused = await f.post({ query: '{ me { id } }' }, { origin: PAGE, authorization: `Bearer ${f.token({ expiresIn: -60 })}` });
    assert.equal(refused.status, 401);
    assert.equal(refused.headers.get('access-control-allow-origin'), PAGE);
  });

  it('sends no CORS headers to other origins, and refuses their preflight with a clear error', async () => {
    for (const origin of ['https://evil.example', 'http://localhost:3000.evil.com', 'http://localhost.evil.com:3000', 'null']) {
      const res = await preflight(f.router.url, origin);
      assert.equal(res.status, 403, origin);
      assert.deepEqual(corsHeaders(res), [], origin);
      const body = (await res.json()) as { errors: Array<{ message: string; extensions: { code: string } }> };
      assert.equal(body.errors[0]!.extensions.code, 'FORBIDDEN');
      assert.match(body.errors[0]!.message, /may not call this API from a browser.*CORS_ORIGINS/);
      const actual = await f.post({ query: '{ products { id } }' }, { origin });
      assert.deepEqual(corsHeaders(actual), [], origin);
    }
  });

  it("keeps Apollo's CSRF guard for everything that is not an allowed preflight", async () => {
    // A "simple" cross-site POST (no preflight): refused before anything runs.
    const simple = await fetch(f.router.url, {
      method: 'POST',
      headers: { origin: PAGE, 'content-type': 'text/plain' },
      body: '{"query":"mutation { logout }"}',
    });
    assert.equal(simple.status, 400);
    assert.match(await simple.text(), /CSRF|preflight/i);
    const get = await fetch(`${f.router.url}?query=${encodeURIComponent('{ ping }')}`, { headers: { origin: PAGE } });
    assert.equal(get.status, 400);
    // An OPTIONS that is no preflight (no Access-Control-Request-Method) is not answered as one.
    const options = await fetch(f.router.url, { method: 'OPTIONS', headers: { origin: PAGE } });
    assert.notEqual(options.status, 204);
  });

  it('allows no origin in production unless CORS_ORIGINS says so', async () => {
    const prod = await f.extraRouter({ NODE_ENV: 'production' });
    assert.equal((await preflight(prod.url, PAGE)).status, 403);
    const shop = await f.extraRouter({ NODE_ENV: 'production', CORS_ORIGINS: 'https://shop.example.com' });
    const ok = await preflight(shop.url, 'https://shop.example.com');
    assert.equal(ok.status, 204);
    assert.equal(ok.headers.get('access-control-allow-origin'), 'https://shop.example.com');
    assert.equal((await preflight(shop.url, PAGE)).status, 403);
  });
});
