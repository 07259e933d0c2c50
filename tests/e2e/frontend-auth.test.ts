/**
 * Issue 8, sign-in flows as a frontend meets them through the router: a nullable `me` that does
 * not wipe a page's public data, UNAUTHENTICATED reasons, refresh and logout with an expired
 * access token attached, and the refresh token in the `fashionistar_rt` cookie.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import jwt from 'jsonwebtoken';
import { REFRESH_COOKIE_NAME, SET_REFRESH_COOKIE_HEADER } from '@fashionistar/shared';
import { identityFromToken } from '@fashionistar/shared/testing';
import { startStack, type Stack } from '../src/stack';

const PASSWORD = 'Passw0rd!';
const AUTH = 'accessToken refreshToken expiresIn user { id }';

interface Answer<T> {
  status: number;
  headers: Headers;
  data?: T | null;
  errors?: Array<{ message: string; path?: unknown[]; extensions?: Record<string, unknown> }>;
}
interface Pair {
  accessToken: string;
  refreshToken: string | null;
  user: { id: string };
}

describe('frontend sign-in flows through the router', () => {
  let s: Stack;
  before(async () => {
    s = await startStack({}, {}, { SEED_SCALE: '40' });
  });
  after(() => s.stop());

  /** POSTs to the router and keeps the answer's headers. */
  const post = async <T>(
    query: string,
    variables: Record<string, unknown> = {},
    headers: Record<string, string> = {},
  ): Promise<Answer<T>> => {
    const res = await fetch(s.router.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query, variables }),
    });
    return { status: res.status, headers: res.headers, ...((await res.json()) as object) };
  };
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const reasonOf = (r: Answer<unknown>) => r.errors?.[0]?.extensions?.reason;
  const login = async (email: string, refreshTokenIn?: 'BODY' | 'COOKIE') =>
    post<{ login: Pair }>(`mutation($i: LoginInput!, $in: RefreshTokenDelivery) { login(input: $i, refreshTokenIn: $in) { ${AUTH} } }`, {
      i: { email, password: PASSWORD },
      in: refreshTokenIn,
    });
  /** An access token of the same user and session whose lifetime is over. */
  const expiredTwin = (accessToken: string) => {
    const key = s.identity.deps.keys.current;
    const who = identityFromToken(accessToken);
    return jwt.sign({ roles: who.roles, sid: who.sessionId, exp: Math.floor(Date.now() / 1000) - 10 }, key.privateKey, {
      algorithm: 'ES256',
      keyid: key.kid,
      subject: who.userId,
      issuer: 'fashionistar-identity',
      audience: 'fashionistar',
    });
  };
  /** The refresh-token cookie a Set-Cookie answer sets: its value ('' when cleared) and attributes. */
  const setCookieOf = (r: Answer<unknown>) => {
    const line = r.headers.getSetCookie().find((c) => c.startsWith(`${REFRESH_COOKIE_NAME}=`));
    if (!line) return null;
    const [pair, ...attributes] = line.split(';').map((p) => p.trim());
    return { value: pair!.slice(REFRESH_COOKIE_NAME.length + 1), attributes: attributes.map((a) => a.toLowerCase()) };
  };

  it('anonymous `{ me { id } categories { slug } }` answers the categories, with the error on `me` only', async () => {
    const r = await post<{ me: null; categories: Array<{ slug: string }> }>(`{ me { id } categories { slug } }`);
    assert.equal(r.data!.me, null);
    assert.ok(r.data!.categories.length > 0, 'the public data is there');
    assert.deepEqual(
      r.errors!.map((e) => [e.extensions?.code, e.extensions?.reason, e.path]),
      [['UNAUTHENTICATED', 'SIGN_IN_REQUIRED', ['me']]],
    );
    const states = await post<{ nigerianStates: string[] }>(`{ nigerianStates }`);
    assert.ok(states.data!.nigerianStates.includes('Lagos'));
  });

  it('tells wrong credentials and bad refresh tokens apart by reason', async () => {
    const wrong = await post(
      `mutation { login(input: { email: "customer1@fashionistar.test", password: "nope-Passw0rd" }) { accessToken } }`,
    );
    assert.equal(reasonOf(wrong), 'WRONG_CREDENTIALS');
    assert.equal(reasonOf(await post(`mutation { refresh(refreshToken: "made-up") { accessToken } }`)), 'TOKEN_INVALID');
    const signedIn = (await login('customer2@fashionistar.test')).data!.login;
    await post(`mutation($t: String) { refresh(refreshToken: $t) { accessToken } }`, { t: signedIn.refreshToken });
    const reuse = await post(`mutation($t: String) { refresh(refreshToken: $t) { accessToken } }`, { t: signedIn.refreshToken });
    assert.equal(reasonOf(reuse), 'SESSION_ENDED');
    // The refresh-cookie hand-off header is between router and identity: never shown to a client.
    assert.equal(reuse.headers.get(SET_REFRESH_COOKIE_HEADER), null);
  });

  it('refreshes and signs out with an expired access token attached', async () => {
    const signedIn = (await login('customer3@fashionistar.test')).data!.login;
    const expired = expiredTwin(signedIn.accessToken);
    // Router part: a rejected token on refresh is treated as anonymous, not answered 401.
    const refreshed = await post<{ refresh: Pair }>(
      `mutation($t: String) { refresh(refreshToken: $t) { ${AUTH} } }`,
      { t: signedIn.refreshToken },
      bearer(expired),
    );
    assert.equal(refreshed.errors, undefined, JSON.stringify(refreshed.errors));
    assert.equal(identityFromToken(refreshed.data!.refresh.accessToken).sessionId, identityFromToken(signedIn.accessToken).sessionId);
    const me = await post<{ me: { id: string } }>(`{ me { id } }`, {}, bearer(refreshed.data!.refresh.accessToken));
    assert.equal(me.data!.me.id, signedIn.user.id);
    // Router part again: logout by refresh token with the expired token attached.
    const out = await post<{ logout: boolean }>(
      `mutation($t: String) { logout(refreshToken: $t) }`,
      { t: refreshed.data!.refresh.refreshToken },
      bearer(expired),
    );
    assert.equal(out.data?.logout, true, JSON.stringify(out.errors));
    const after = await post(`{ me { id } }`, {}, bearer(refreshed.data!.refresh.accessToken));
    assert.equal(after.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
  });

  it('keeps the refresh token in the fashionistar_rt cookie: sign in, refresh, sign out', async () => {
    const signedIn = await login('customer4@fashionistar.test', 'COOKIE');
    assert.equal(signedIn.data!.login.refreshToken, null, 'identity keeps it out of the body');
    assert.equal(signedIn.headers.get(SET_REFRESH_COOKIE_HEADER), null);
    // Router part: Set-Cookie from identity's hand-off header.
    const c1 = setCookieOf(signedIn);
    assert.ok(c1 && c1.value.length > 20, `Set-Cookie: ${signedIn.headers.getSetCookie().join(' | ')}`);
    assert.ok(c1.attributes.includes('httponly'));
    assert.ok(c1.attributes.some((a) => a.startsWith('max-age=')));

    // Router part: the browser's cookie is forwarded to identity.
    const refreshed = await post<{ refresh: Pair }>(
      `mutation { refresh { ${AUTH} } }`,
      {},
      {
        ...bearer(expiredTwin(signedIn.data!.login.accessToken)),
        cookie: `other=1; ${REFRESH_COOKIE_NAME}=${c1.value}`,
      },
    );
    assert.equal(refreshed.errors, undefined, JSON.stringify(refreshed.errors));
    assert.equal(refreshed.data!.refresh.refreshToken, null);
    const c2 = setCookieOf(refreshed);
    assert.ok(c2 && c2.value && c2.value !== c1.value, 'the rotated token replaces the cookie');

    const out = await post<{ logout: boolean }>(`mutation { logout }`, {}, { cookie: `${REFRESH_COOKIE_NAME}=${c2.value}` });
    assert.equal(out.data?.logout, true, JSON.stringify(out.errors));
    const cleared = setCookieOf(out);
    assert.ok(cleared && cleared.value === '', 'logout clears the cookie');
    const dead = await post(`mutation { refresh { accessToken } }`, {}, { cookie: `${REFRESH_COOKIE_NAME}=${c2.value}` });
    assert.equal(reasonOf(dead), 'SESSION_ENDED');
  });
});
