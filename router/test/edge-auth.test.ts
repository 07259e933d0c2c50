/**
 * Token rejection per operation and the refresh-token cookie at the edge, against fake identity
 * and catalog subgraphs: a refused access token answers 401 with its reason unless the operation
 * only asks for sign-in flows (which then run anonymously); the `fashionistar_rt` cookie reaches
 * identity alone, and only identity can have it set or cleared.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { WebSocket } from 'ws';
import { ConfigError, SET_REFRESH_COOKIE_HEADER } from '@fashionistar/shared/edge';
import { loadRouterConfig } from '../src/config';
import { parseSetRefreshCookie, refreshTokenFromCookies, setCookieHeader } from '../src/refresh-cookie';
import { rootFieldNames } from '../src/token-gate';
import { parse, type OperationDefinitionNode } from 'graphql';
import { startEdgeFixture, type EdgeFixture } from './edge-fixture';

interface Answer {
  status: number;
  headers: Headers;
  body: { data?: Record<string, unknown> | null; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };
}

describe('edge auth and refresh cookie', () => {
  let f: EdgeFixture;
  before(async () => {
    f = await startEdgeFixture();
  });
  after(() => f.stop());

  const call = async (query: string, headers: Record<string, string> = {}): Promise<Answer> => {
    const res = await f.post({ query }, headers);
    return { status: res.status, headers: res.headers, body: (await res.json()) as Answer['body'] };
  };
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  describe('a refused access token', () => {
    it('answers 401 with the reason for an ordinary operation', async () => {
      const cases: Array<[string, Record<string, string>, string, RegExp]> = [
        ['expired', bearer(f.token({ expiresIn: -30 })), 'TOKEN_EXPIRED', /expired\. Refresh it/],
        ['without exp', bearer(f.token({ expiresIn: null })), 'TOKEN_INVALID', /no expiry/],
        ['forged', bearer(f.token({ key: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey })), 'TOKEN_INVALID', /not valid/],
        ['unknown key', bearer(f.token({ kid: 'nope' })), 'TOKEN_INVALID', /unknown key/],
        ['wrong issuer', bearer(f.token({ issuer: 'someone-else' })), 'TOKEN_INVALID', /not valid/],
        ['wrong audience', bearer(f.token({ audience: 'other-app' })), 'TOKEN_INVALID', /not valid/],
        ['malformed', bearer('not-a-jwt'), 'TOKEN_INVALID', /not valid|could not be verified|key id/],
        ['not bearer', { authorization: 'Basic dXNlcjpwYXNz' }, 'TOKEN_INVALID', /Authorization: Bearer/],
      ];
      for (const [name, headers, reason, message] of cases) {
        const r = await call('{ me { id } products { id } }', headers);
        assert.equal(r.status, 401, name);
        assert.equal(r.headers.get('www-authenticate'), 'Bearer error="invalid_token"', name);
        assert.equal(r.body.data, undefined, name);
        assert.equal(r.body.errors?.length, 1, name);
        assert.equal(r.body.errors![0]!.extensions?.code, 'UNAUTHENTICATED', name);
        assert.equal(r.body.errors![0]!.extensions?.reason, reason, name);
        assert.match(r.body.errors![0]!.message, message, name);
        assert.equal(r.body.errors![0]!.extensions?.http, undefined, 'the http extension stays on the server');
      }
    });

    it('answers SESSION_ENDED for a token of a revoked session', async () => {
      const sid = 'revoked-session';
      const token = f.token({ sid });
      assert.equal((await call('{ me { id } }', bearer(token))).status, 200);
      await f.revoke(sid);
      const r = await call('{ me { id } }', bearer(token));
      assert.equal(r.status, 401);
      assert.equal(r.body.errors![0]!.extensions?.reason, 'SESSION_ENDED');
      assert.match(r.body.errors![0]!.message, /session has ended/);
    });

    it('lets the sign-in flows run anonymously, whatever token is attached', async () => {
      const expired = bearer(f.token({ sub: 'user-1', expiresIn: -30 }));
      for (const query of [
        'mutation { refresh(refreshToken: "rt") { accessToken } }',
        'mutation { logout }',
        'mutation { login(email: "a@b.c") { accessToken } }',
        'mutation Both { logout refresh(refreshToken: "rt") { accessToken } __typename }',
        'mutation { ...F } fragment F on Mutation { logout }',
        'mutation { ... on Mutation { refresh(refreshToken: "rt") { accessToken } } }',
        '{ __typename }',
      ]) {
        f.seen.identityUserId = undefined;
        const r = await call(query, expired);
        assert.equal(r.status, 200, query);
        assert.equal(r.body.errors, undefined, `${query}: ${JSON.stringify(r.body.errors)}`);
        if (query !== '{ __typename }') assert.equal(f.seen.identityUserId, null, `${query} runs anonymously`);
      }
    });

    it('refuses an operation that mixes sign-in flows with anything else', async () => {
      const expired = bearer(f.token({ expiresIn: -30 }));
      for (const query of [
        'mutation { refresh(refreshToken: "rt") { accessToken } updateName(name: "x") { id } }',
        'query { ...Q } fragment Q on Query { me { id } }',
        'query { ... on Query { ping } }',
        '{ __typename ping }',
        // A sign-in flow's name on the wrong root type is no sign-in flow.
        '{ refresh: ping }',
      ]) {
        const r = await call(query, expired);
        assert.equal(r.status, 401, query);
        assert.equal(r.body.errors![0]!.extensions?.reason, 'TOKEN_EXPIRED', query);
      }
    });

    it('changes nothing for a valid token or none', async () => {
      const ok = await call('{ me { id } }', bearer(f.token({ sub: 'user-7' })));
      assert.deepEqual(ok.body, { data: { me: { id: 'user-7' } } });
      const anon = await call('{ me { id } }');
      assert.deepEqual(anon.body, { data: { me: null } });
    });

    it('collects root fields through fragments, once per fragment', () => {
      const doc = parse(
        'query { a: ping ...A ... on Query { me { id } } } fragment A on Query { ...B products { id } } fragment B on Query { ...A }',
      );
      assert.deepEqual([...rootFieldNames(doc, doc.definitions[0] as OperationDefinitionNode)].sort(), ['me', 'ping', 'products']);
    });
  });

  describe('graphql-ws with a refused token', () => {
    const closeOf = (authorization: string) =>
      new Promise<{ code: number; reason: string }>((resolve, reject) => {
        const ws = new WebSocket(f.router.url.replace('http', 'ws'), 'graphql-transport-ws');
        ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization } })));
        ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
        ws.on('error', reject);
      });

    it('closes with 4403 and the reason', async () => {
      assert.deepEqual(await closeOf(`Bearer ${f.token({ expiresIn: -30 })}`), { code: 4403, reason: 'Forbidden: TOKEN_EXPIRED' });
      assert.deepEqual(await closeOf('Bearer nope'), { code: 4403, reason: 'Forbidden: TOKEN_INVALID' });
      await f.revoke('ws-revoked');
      assert.deepEqual(await closeOf(`Bearer ${f.token({ sid: 'ws-revoked' })}`), { code: 4403, reason: 'Forbidden: SESSION_ENDED' });
    });
  });

  describe('the refresh cookie', () => {
    it('is forwarded to identity only', async () => {
      f.seen.identityCookie = undefined;
      f.seen.catalogCookie = undefined;
      const r = await call('{ me { id } products { id } }', { cookie: 'theme=dark; fashionistar_rt=abc.DEF_123-xyz; other=1' });
      assert.equal(r.status, 200);
      assert.equal(f.seen.identityCookie, 'abc.DEF_123-xyz');
      assert.equal(f.seen.catalogCookie, null);
      const none = await call('{ me { id } }');
      assert.equal(none.status, 200);
      assert.equal(f.seen.identityCookie, null);
    });

    it('is not forwarded when it is no plain token', async () => {
      for (const cookie of [
        `fashionistar_rt=${'a'.repeat(1025)}`,
        'fashionistar_rt=a"b',
        'fashionistar_rt=a\\b',
        'fashionistar_rt=',
        'xfashionistar_rt=abc',
      ]) {
        f.seen.identityCookie = undefined;
        await call('{ me { id } }', { cookie });
        assert.equal(f.seen.identityCookie, null, cookie);
      }
    });

    it("is set from identity's answer in cookie mode, never showing the hand-off header", async () => {
      const r = await call('mutation { refresh(refreshTokenIn: COOKIE) { accessToken refreshToken } }');
      assert.deepEqual(r.body, { data: { refresh: { accessToken: 'access-2', refreshToken: null } } });
      assert.equal(
        r.headers.get('set-cookie'),
        'fashionistar_rt=rt-from-identity; Max-Age=2592000; Path=/graphql; HttpOnly; Secure; SameSite=Strict',
      );
      assert.equal(r.headers.get('cache-control'), 'no-store');
      assert.equal(r.headers.get(SET_REFRESH_COOKIE_HEADER), null);
      // Body mode: identity sends no header, the router sets no cookie.
      const body = await call('mutation { refresh(refreshToken: "rt") { refreshToken } }');
      assert.deepEqual(body.body, { data: { refresh: { refreshToken: 'rt-2' } } });
      assert.equal(body.headers.get('set-cookie'), null);
    });

    it('refreshes from the cookie with an expired access token attached', async () => {
      f.seen.identityCookie = undefined;
      const r = await call('mutation { refresh { accessToken } }', {
        cookie: 'fashionistar_rt=old-rt',
        ...bearer(f.token({ expiresIn: -5 })),
      });
      assert.equal(r.status, 200);
      assert.equal(f.seen.identityCookie, 'old-rt');
      assert.match(r.headers.get('set-cookie') ?? '', /^fashionistar_rt=rt-from-identity; Max-Age=2592000;/);
    });

    it('is cleared on logout', async () => {
      const r = await call('mutation { logout }', { cookie: 'fashionistar_rt=old-rt' });
      assert.equal(r.body.data?.logout, true);
      assert.equal(f.seen.identityCookie, 'old-rt');
      assert.equal(r.headers.get('set-cookie'), 'fashionistar_rt=; Max-Age=0; Path=/graphql; HttpOnly; Secure; SameSite=Strict');
    });

    it('is never set or cleared by another subgraph', async () => {
      f.seen.catalogCookie = undefined;
      const r = await call('mutation { stealCookie }', { cookie: 'fashionistar_rt=secret-rt' });
      assert.deepEqual(r.body, { data: { stealCookie: true } });
      assert.equal(f.seen.catalogCookie, null, 'catalog never sees the cookie');
      assert.equal(r.headers.get('set-cookie'), null);
      assert.equal(r.headers.get(SET_REFRESH_COOKIE_HEADER), null);
    });

    it('is left alone when identity asks for a malformed one', async () => {
      const original = f.identityCookieAnswer.value;
      try {
        for (const value of [
          'a b;100',
          'tok;',
          'tok;0',
          `tok;${400 * 24 * 3600 + 1}`,
          'a;b;100',
          'tok;1e3',
          ';100',
          `${'t'.repeat(1025)};100`,
        ]) {
          f.identityCookieAnswer.value = value;
          const r = await call('mutation { refresh(refreshTokenIn: COOKIE) { accessToken } }');
          assert.equal(r.status, 200, value);
          assert.equal(r.headers.get('set-cookie'), null, value);
        }
      } finally {
        f.identityCookieAnswer.value = original;
      }
    });

    it('takes SameSite and Domain from the configuration', async () => {
      const lax = await f.extraRouter({ REFRESH_COOKIE_SAMESITE: 'Lax', REFRESH_COOKIE_DOMAIN: 'Shop.Example.com' });
      const res = await fetch(lax.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: 'mutation { logout }' }),
      });
      assert.equal(
        res.headers.get('set-cookie'),
        'fashionistar_rt=; Max-Age=0; Path=/graphql; HttpOnly; Secure; SameSite=Lax; Domain=shop.example.com',
      );
      assert.throws(
        () => loadRouterConfig({ REFRESH_COOKIE_SAMESITE: 'strict', REFRESH_COOKIE_DOMAIN: 'evil.com; Path=/' }),
        (e: unknown) => e instanceof ConfigError && /REFRESH_COOKIE_SAMESITE/.test(e.message) && /REFRESH_COOKIE_DOMAIN/.test(e.message),
      );
    });

    it('parses and writes the hand-off strictly', () => {
      assert.equal(refreshTokenFromCookies(undefined), null);
      assert.equal(refreshTokenFromCookies('fashionistar_rt="quoted-rt"'), 'quoted-rt');
      assert.equal(refreshTokenFromCookies('fashionistar_rt=bad value; fashionistar_rt=good'), 'good');
      assert.deepEqual(parseSetRefreshCookie('tok;60'), { token: 'tok', maxAgeSeconds: 60 });
      assert.deepEqual(parseSetRefreshCookie(''), { clear: true });
      assert.equal(parseSetRefreshCookie('tok\r\nSet-Cookie: x=1;60'), null);
      assert.equal(parseSetRefreshCookie('tok; Domain=evil.com;60'), null);
      assert.equal(
        setCookieHeader({ token: 't', maxAgeSeconds: 5 }, { sameSite: 'None' }),
        'fashionistar_rt=t; Max-Age=5; Path=/graphql; HttpOnly; Secure; SameSite=None',
      );
    });
  });
});
