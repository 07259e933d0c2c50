/**
 * A web page on another origin against the real stack, in headless Chromium (the Debian package,
 * driven by playwright-core; nothing is ever downloaded). The page is served from
 * http://localhost:<page port> and calls http://localhost:<router port>/graphql with
 * `fetch(..., { credentials: 'include' })`: same site, other origin, so CORS decides and
 * SameSite=Strict cookies travel. It signs in with the refresh token in an HttpOnly cookie,
 * refreshes through the cookie (no token in JavaScript), lists products, signs out and finds the
 * session gone; and the same with the refresh token in the body, as a mobile app does.
 *
 * Without Chromium (CI could not install it) the suite is skipped, saying so; the preflight and
 * response headers a browser needs are also pinned without a browser in router/test/cors.test.ts.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@fashionistar/shared';
import { browserSkipReason, launchBrowser, type TestBrowser } from '../src/browser';
import { startStack, type Stack } from '../src/stack';

const PASSWORD = 'Passw0rd!';

// The cookie flow needs identity's half of the contract (`refreshTokenIn: COOKIE`); until the
// composed API has it, that one test says so instead of failing on an unknown argument.
const cookieFlowSkip = /\benum RefreshTokenDelivery\b/.test(readFileSync(join(repoRoot(), 'schema/api.graphql'), 'utf8'))
  ? false
  : 'the composed API has no RefreshTokenDelivery yet (identity side of the cookie flow not merged)';

type Products = { products: { edges: Array<{ node: { id: string } }> } };
type Tokens = { accessToken: string; refreshToken: string | null };
type Login = { login: Tokens };
type Refresh = { refresh: Tokens };
type Logout = { logout: boolean };

describe('a web page on another origin, in Chromium', { skip: browserSkipReason }, () => {
  let s: Stack;
  let browser: TestBrowser;
  let api: string;

  const gql = <T = Record<string, unknown>>(query: string, variables: Record<string, unknown> = {}, token?: string) =>
    browser.gql<T>(api, query, variables, token);
  const refreshCookie = () => browser.cookie(api, 'fashionistar_rt');

  before(async () => {
    s = await startStack();
    api = `http://localhost:${s.router.port}/graphql`;
    browser = await launchBrowser('localhost');
  });

  after(async () => {
    await browser?.close();
    await s?.stop();
  });

  it('queries and mutates across origins with credentials', async () => {
    const list = await gql<Products & { categories: unknown[] }>(
      '{ products(first: 3) { edges { node { id title } } } categories { slug } }',
    );
    assert.equal(list.status, 200);
    assert.equal(list.body.errors, undefined, JSON.stringify(list.body.errors));
    assert.equal(list.body.data!.products.edges.length, 3);
    assert.ok(list.requestId, 'x-request-id is exposed to the page');
    const signIn = await gql<Login>('mutation($input: LoginInput!) { login(input: $input) { accessToken } }', {
      input: { email: 'customer2@fashionistar.test', password: PASSWORD },
    });
    assert.equal(signIn.body.errors, undefined, JSON.stringify(signIn.body.errors));
    const me = await gql('{ me { email } }', {}, signIn.body.data!.login.accessToken);
    assert.deepEqual(me.body.data, { me: { email: 'customer2@fashionistar.test' } });
    // A 401 is readable too (the page must see the reason to refresh).
    const refused = await gql('{ me { email } }', {}, 'not.a.jwt');
    assert.equal(refused.status, 401);
    assert.equal(refused.body.errors![0]!.extensions?.reason, 'TOKEN_INVALID');
  });

  it('cannot read the answers of an API that does not allow its origin', async () => {
    const strict = await s.extraRouter({ CORS_ORIGINS: 'https://shop.example.com' });
    const other = `http://localhost:${strict.port}/graphql`;
    const failure = await browser.page.evaluate(
      (u) =>
        fetch(u, {
          method: 'POST',
          credentials: 'include',
          headers: { 'content-type': 'application/json' },
          body: '{"query":"{ categories { slug } }"}',
        }).then(
          () => 'read',
          (e: Error) => e.name,
        ),
      other,
    );
    assert.equal(failure, 'TypeError');
  });

  it(
    'signs in, refreshes, lists products and signs out with the refresh token in an HttpOnly cookie',
    { skip: cookieFlowSkip },
    async () => {
      const signIn = await gql<Login>(
        'mutation($input: LoginInput!) { login(input: $input, refreshTokenIn: COOKIE) { accessToken refreshToken user { email } } }',
        { input: { email: 'customer1@fashionistar.test', password: PASSWORD } },
      );
      assert.equal(signIn.body.errors, undefined, JSON.stringify(signIn.body.errors));
      assert.equal(signIn.body.data!.login.refreshToken, null, 'the refresh token never reaches JavaScript');
      const first = await refreshCookie();
      assert.ok(first, 'the browser keeps the refresh cookie');
      assert.deepEqual([first.httpOnly, first.secure, first.sameSite, first.path], [true, true, 'Strict', '/graphql']);
      assert.equal(await browser.page.evaluate(() => (globalThis as unknown as { document: { cookie: string } }).document.cookie), '');

      // The access token may even have gone bad: refresh runs on the cookie alone.
      const refreshed = await gql<Refresh>('mutation { refresh { accessToken refreshToken } }', {}, 'expired.or.garbage');
      assert.equal(refreshed.body.errors, undefined, JSON.stringify(refreshed.body.errors));
      assert.equal(refreshed.body.data!.refresh.refreshToken, null);
      const second = await refreshCookie();
      assert.ok(second && second.value !== first.value, 'the cookie rotated');
      const access = refreshed.body.data!.refresh.accessToken;

      const products = await gql<Products>('{ products(first: 5) { edges { node { id title } } } }', {}, access);
      assert.equal(products.body.errors, undefined, JSON.stringify(products.body.errors));
      assert.equal(products.body.data!.products.edges.length, 5);
      assert.deepEqual((await gql('{ me { email } }', {}, access)).body.data, { me: { email: 'customer1@fashionistar.test' } });

      const out = await gql<Logout>('mutation { logout }');
      assert.equal(out.body.errors, undefined, JSON.stringify(out.body.errors));
      assert.equal(out.body.data!.logout, true);
      assert.equal(await refreshCookie(), undefined, 'logout clears the cookie');

      const again = await gql('mutation { refresh { accessToken } }');
      assert.equal(again.body.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
      // The session itself is over: its last refresh token and its access token are refused.
      const replay = await gql('mutation($t: String) { refresh(refreshToken: $t) { accessToken } }', { t: second.value });
      assert.equal(replay.body.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
      const stale = await gql('{ me { email } }', {}, access);
      assert.equal(stale.status, 401);
      assert.equal(stale.body.errors?.[0]?.extensions?.reason, 'SESSION_ENDED');
    },
  );

  it('does the same with the refresh token in the body, as a mobile app', async () => {
    const signIn = await gql<Login>('mutation($input: LoginInput!) { login(input: $input) { accessToken refreshToken } }', {
      input: { email: 'customer3@fashionistar.test', password: PASSWORD },
    });
    assert.equal(signIn.body.errors, undefined, JSON.stringify(signIn.body.errors));
    const { refreshToken } = signIn.body.data!.login;
    assert.ok(refreshToken);
    const refreshed = await gql<Refresh>('mutation($t: String!) { refresh(refreshToken: $t) { accessToken refreshToken } }', {
      t: refreshToken,
    });
    assert.equal(refreshed.body.errors, undefined, JSON.stringify(refreshed.body.errors));
    const next = refreshed.body.data!.refresh;
    const products = await gql<Products>('{ products(first: 2) { edges { node { id } } } }', {}, next.accessToken);
    assert.equal(products.body.data!.products.edges.length, 2);
    const out = await gql<Logout>('mutation { logout }', {}, next.accessToken);
    assert.equal(out.body.data!.logout, true);
    const after = await gql('mutation($t: String!) { refresh(refreshToken: $t) { accessToken } }', { t: next.refreshToken });
    assert.equal(after.body.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
  });
});
