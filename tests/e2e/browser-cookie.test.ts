/**
 * The router's half of the refresh cookie, in Chromium: a page on http://localhost:<port> calls
 * the router in front of a fake identity (router/test/edge-fixture.ts). The browser accepts the
 * router's `Set-Cookie` (HttpOnly, Secure on http://localhost, SameSite=Strict, Path=/graphql)
 * on a credentialed cross-origin answer, sends it back on the next call, and drops it when
 * identity asks for it to be cleared; a page of another site (127.0.0.1) never sends it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startEdgeFixture, type EdgeFixture } from '@fashionistar/router/test/edge-fixture';
import { browserSkipReason, launchBrowser, type TestBrowser } from '../src/browser';

describe('the refresh cookie in Chromium', { skip: browserSkipReason }, () => {
  let f: EdgeFixture;
  let browser: TestBrowser;
  let api: string;

  before(async () => {
    f = await startEdgeFixture();
    api = `http://localhost:${f.router.port}/graphql`;
    browser = await launchBrowser('localhost');
  });
  after(async () => {
    await browser?.close();
    await f?.stop();
  });

  it('is kept by the browser, sent back across origins of the same site, and cleared', async () => {
    f.identityCookieAnswer.value = 'rt-one;3600';
    const signIn = await browser.gql(api, 'mutation { login(email: "a@b.c", refreshTokenIn: COOKIE) { accessToken refreshToken } }');
    assert.deepEqual(signIn.body, { data: { login: { accessToken: 'access', refreshToken: null } } });
    const cookie = await browser.cookie(api, 'fashionistar_rt');
    assert.deepEqual(cookie && [cookie.value, cookie.httpOnly, cookie.secure, cookie.sameSite, cookie.path], [
      'rt-one',
      true,
      true,
      'Strict',
      '/graphql',
    ]);

    f.identityCookieAnswer.value = 'rt-two;3600';
    f.seen.identityCookie = undefined;
    const refreshed = await browser.gql(api, 'mutation { refresh { accessToken } }', {}, 'garbage.access.token');
    assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
    assert.equal(f.seen.identityCookie, 'rt-one', 'the browser sent the cookie and the router forwarded it');
    assert.equal((await browser.cookie(api, 'fashionistar_rt'))?.value, 'rt-two');

    const out = await browser.gql(api, 'mutation { logout }');
    assert.deepEqual(out.body, { data: { logout: true } });
    assert.equal(f.seen.identityCookie, 'rt-two');
    assert.equal(await browser.cookie(api, 'fashionistar_rt'), undefined);
    f.seen.identityCookie = undefined;
    await browser.gql(api, 'mutation { refresh { accessToken } }');
    assert.equal(f.seen.identityCookie, null);
  });

  it('is not sent by a page of another site', async () => {
    f.identityCookieAnswer.value = 'rt-three;3600';
    await browser.gql(api, 'mutation { login(email: "a@b.c", refreshTokenIn: COOKIE) { accessToken } }');
    assert.equal((await browser.cookie(api, 'fashionistar_rt'))?.value, 'rt-three');
    const other = await launchBrowser('127.0.0.1');
    try {
      // Another profile has no cookie at all; give it the same one, then call from another site.
      await other.context.addCookies([
        {
          name: 'fashionistar_rt',
          value: 'rt-three',
          domain: 'localhost',
          path: '/graphql',
          httpOnly: true,
          secure: true,
          sameSite: 'Strict',
        },
      ]);
      assert.equal((await other.cookie(api, 'fashionistar_rt'))?.value, 'rt-three');
      f.seen.identityCookie = undefined;
      const r = await other.gql(api, 'mutation { refresh { accessToken } }');
      assert.equal(r.status, 200, 'CORS allows 127.0.0.1 pages by default');
      assert.equal(f.seen.identityCookie, null, 'SameSite=Strict kept the cookie home');
    } finally {
      await other.close();
    }
  });
});
