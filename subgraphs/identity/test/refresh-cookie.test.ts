/**
 * Sign-in flows for browsers and apps: the refresh token in the body or in the cookie (through
 * the router's forwarded header and identity's set-cookie answer header), refresh and logout
 * without a usable access token, and the reason of every UNAUTHENTICATED answer.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SET_REFRESH_COOKIE_HEADER, SessionRevoked, revokedSessionKey } from '@fashionistar/shared';
import { randomUUID } from 'node:crypto';
import {
  AUTH_FIELDS,
  PASSWORD,
  codes,
  identityFromToken,
  registerUser,
  startTestIdentity,
  type GqlResult,
  type TestIdentity,
} from './helpers';

const REFRESH = `mutation($t: String, $in: RefreshTokenDelivery) { refresh(refreshToken: $t, refreshTokenIn: $in) { ${AUTH_FIELDS} } }`;
const LOGIN = `mutation($i: LoginInput!, $in: RefreshTokenDelivery) { login(input: $i, refreshTokenIn: $in) { ${AUTH_FIELDS} } }`;
const REGISTER = `mutation($i: RegisterInput!, $in: RefreshTokenDelivery) { register(input: $i, refreshTokenIn: $in) { ${AUTH_FIELDS} } }`;
const LOGOUT = `mutation($t: String) { logout(refreshToken: $t) }`;

interface Pair {
  accessToken: string;
  refreshToken: string | null;
  user: { id: string; email: string | null };
}

/** The cookie identity asked the router to set: token and max-age; '' = clear; undefined = untouched. */
function cookieOf(r: GqlResult): { token: string; maxAge: number } | '' | undefined {
  const v = r.headers?.get(SET_REFRESH_COOKIE_HEADER);
  if (v === null || v === undefined) return undefined;
  if (v === '') return '';
  const [token, maxAge] = v.split(';');
  return { token: token!, maxAge: Number(maxAge) };
}

const reasonOf = (r: GqlResult) => r.errors?.[0]?.extensions?.reason;

describe('identity: refresh and logout for browsers and apps', () => {
  let t: TestIdentity;
  before(async () => {
    t = await startTestIdentity({ LOGIN_FAILURE_LIMIT: '3' });
  });
  after(() => t.stop());

  const sessionOf = (accessToken: string) => identityFromToken(accessToken).sessionId;
  const revokeReason = async (sessionId: string) =>
    (await t.sql<{ revoke_reason: string | null }>(`SELECT revoke_reason FROM session WHERE id = $1`, [sessionId]))[0]!.revoke_reason;
  const revokedEvents = (sessionId: string) =>
    t.sql(`SELECT 1 FROM outbox_event WHERE type = $1 AND payload->'sessionIds' ? $2`, [SessionRevoked.type, sessionId]);

  it('delivers the refresh token in the cookie on request: null in the body, max-age = the session left', async () => {
    const u = await registerUser(t);
    const r = await t.call<{ login: Pair }>(LOGIN, { i: { email: u.email, password: 'Str0ng-Passw0rd' }, in: 'COOKIE' });
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    assert.equal(r.data!.login.refreshToken, null);
    const cookie = cookieOf(r);
    assert.ok(cookie && cookie.token.length >= 40, 'a cookie is set');
    assert.ok(Math.abs(cookie.maxAge - 30 * 86400) <= 5, `max-age ${cookie.maxAge}`);
    // The cookie's token is a real refresh token of the new session.
    const viaBody = await t.call<{ refresh: Pair }>(REFRESH, { t: cookie.token });
    assert.equal(sessionOf(viaBody.data!.refresh.accessToken), sessionOf(r.data!.login.accessToken));

    // BODY (the default) sets no cookie.
    const body = await t.call<{ login: Pair }>(LOGIN, { i: { email: u.email, password: 'Str0ng-Passw0rd' } });
    assert.ok(body.data!.login.refreshToken);
    assert.equal(cookieOf(body), undefined);

    const reg = await t.call<{ register: Pair }>(REGISTER, {
      i: { email: `c_${randomUUID()}@example.com`, password: 'Str0ng-Passw0rd', firstName: 'A', lastName: 'B' },
      in: 'COOKIE',
    });
    assert.equal(reg.data!.register.refreshToken, null);
    assert.ok(cookieOf(reg));
  });

  it('refreshes from the cookie without any argument, answering in the cookie again; the max-age shrinks with the session', async () => {
    const u = await registerUser(t);
    const sessionId = sessionOf(u.accessToken);
    const first = await t.call<{ refresh: Pair }>(REFRESH, { t: u.refreshToken, in: 'COOKIE' });
    const c1 = cookieOf(first);
    assert.ok(c1 && first.data!.refresh.refreshToken === null);
    await t.sql(`UPDATE session SET expires_at = now() + interval '100 seconds' WHERE id = $1`, [sessionId]);
    const second = await t.call<{ refresh: Pair }>(REFRESH, {}, { refreshCookie: c1.token });
    assert.equal(second.errors, undefined, JSON.stringify(second.errors));
    assert.equal(second.data!.refresh.refreshToken, null, 'a cookie refresh answers in the cookie by default');
    const c2 = cookieOf(second);
    assert.ok(c2 && c2.token !== c1.token);
    assert.ok(c2.maxAge > 90 && c2.maxAge <= 100, `max-age ${c2.maxAge}`);
    assert.equal(sessionOf(second.data!.refresh.accessToken), sessionId);
    // The argument wins over the cookie; a cookie refresh asked for BODY clears the used cookie.
    const third = await t.call<{ refresh: Pair }>(REFRESH, { in: 'BODY' }, { refreshCookie: c2.token });
    assert.ok(third.data!.refresh.refreshToken);
    assert.equal(cookieOf(third), '');
  });

  it('needs no access token: an expired, revoked or foreign one attached changes nothing', async () => {
    const u = await registerUser(t);
    const stranger = await registerUser(t);
    await t.ok(`mutation { logout }`, {}, { token: stranger.accessToken });
    const r = await t.call<{ refresh: Pair }>(REFRESH, { t: u.refreshToken }, { token: stranger.accessToken });
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    assert.equal(r.data!.refresh.user.id, u.user.id);
    assert.equal(r.data!.refresh.user.email, u.email, 'the token holder sees their own contact details');
    assert.equal(sessionOf(r.data!.refresh.accessToken), sessionOf(u.accessToken));
  });

  it('answers UNAUTHENTICATED with the reason of each refresh failure, clearing a failed cookie', async () => {
    const none = await t.call(REFRESH, {});
    assert.deepEqual([codes(none), reasonOf(none)], [['UNAUTHENTICATED'], 'SIGN_IN_REQUIRED']);

    const garbled = await t.call(REFRESH, { t: 'made-up-token' });
    assert.deepEqual([codes(garbled), reasonOf(garbled)], [['UNAUTHENTICATED'], 'TOKEN_INVALID']);
    assert.equal(cookieOf(garbled), undefined, 'a body refresh leaves the cookie alone');
    const garbledCookie = await t.call(REFRESH, {}, { refreshCookie: 'made-up-token' });
    assert.equal(reasonOf(garbledCookie), 'TOKEN_INVALID');
    assert.equal(cookieOf(garbledCookie), '', 'a failed cookie is cleared');

    // Reuse: SESSION_ENDED, the session ends (rule and event kept).
    const a = await registerUser(t);
    const rotated = (await t.call<{ refresh: Pair }>(REFRESH, { t: a.refreshToken })).data!.refresh;
    const reuse = await t.call(REFRESH, { t: a.refreshToken });
    assert.equal(reasonOf(reuse), 'SESSION_ENDED');
    assert.equal(await revokeReason(sessionOf(a.accessToken)), 'REFRESH_TOKEN_REUSED');
    assert.equal(await t.infra.kv.get(revokedSessionKey(sessionOf(a.accessToken))), 'REFRESH_TOKEN_REUSED');
    const after = await t.call(REFRESH, {}, { refreshCookie: rotated.refreshToken! });
    assert.equal(reasonOf(after), 'SESSION_ENDED', 'the family is dead');
    assert.equal(cookieOf(after), '');

    // A revoked session.
    const b = await registerUser(t);
    await t.ok(`mutation { logout }`, {}, { token: b.accessToken });
    assert.equal(reasonOf(await t.call(REFRESH, { t: b.refreshToken })), 'SESSION_ENDED');

    // An expired session.
    const c = await registerUser(t);
    await t.sql(`UPDATE session SET expires_at = now() - interval '1 second' WHERE id = $1`, [sessionOf(c.accessToken)]);
    assert.equal(reasonOf(await t.call(REFRESH, { t: c.refreshToken })), 'SESSION_ENDED');

    // A deleted account (the session row is ended too, but even a live one would not do).
    const d = await registerUser(t);
    await t.sql(`UPDATE app_user SET deleted_at = now() WHERE id = $1`, [d.user.id]);
    const deleted = await t.call(REFRESH, { t: d.refreshToken, in: 'COOKIE' });
    assert.equal(reasonOf(deleted), 'SESSION_ENDED');
    assert.equal(cookieOf(deleted), '', 'a failed COOKIE-mode refresh clears the cookie');
    const [row] = await t.sql<{ n: string }>(`SELECT count(*) AS n FROM refresh_token WHERE session_id = $1 AND used_at IS NOT NULL`, [
      sessionOf(d.accessToken),
    ]);
    assert.equal(row!.n, '0', 'the token was not used up');
  });

  it('logout by refresh token (argument or cookie) needs no access token, clears the cookie and is idempotent', async () => {
    const u = await registerUser(t);
    const sessionId = sessionOf(u.accessToken);
    const out = await t.call<{ logout: boolean }>(LOGOUT, { t: u.refreshToken });
    assert.equal(out.data!.logout, true);
    assert.equal(cookieOf(out), '');
    assert.equal(await revokeReason(sessionId), 'LOGOUT');
    assert.equal(await t.infra.kv.get(revokedSessionKey(sessionId)), 'LOGOUT');
    assert.equal(reasonOf(await t.call(REFRESH, { t: u.refreshToken })), 'SESSION_ENDED');
    const again = await t.call<{ logout: boolean }>(LOGOUT, { t: u.refreshToken });
    assert.equal(again.data!.logout, true);
    assert.equal((await revokedEvents(sessionId)).length, 1, 'ending an ended session tells nobody again');

    const v = await registerUser(t);
    const viaCookie = await t.call<{ logout: boolean }>(LOGOUT, {}, { refreshCookie: v.refreshToken });
    assert.equal(viaCookie.data!.logout, true);
    assert.equal(cookieOf(viaCookie), '');
    assert.equal(await revokeReason(sessionOf(v.accessToken)), 'LOGOUT');
  });

  it("never ends a session without a token of it: an unknown token ends nothing, not even the caller's session", async () => {
    const u = await registerUser(t);
    const out = await t.call<{ logout: boolean }>(LOGOUT, { t: 'not-a-token-of-anyone' }, { token: u.accessToken });
    assert.equal(out.data!.logout, true);
    assert.equal(await revokeReason(sessionOf(u.accessToken)), null);
    const cookieOut = await t.call<{ logout: boolean }>(LOGOUT, {}, { refreshCookie: 'stale-cookie' });
    assert.equal(cookieOut.data!.logout, true);
    assert.equal(cookieOf(cookieOut), '');
    assert.equal(await revokeReason(sessionOf(u.accessToken)), null);
    // A used token of the session still proves it: its holder had the session.
    await t.call(REFRESH, { t: u.refreshToken });
    assert.equal((await t.call<{ logout: boolean }>(LOGOUT, { t: u.refreshToken })).data!.logout, true);
    assert.equal(await revokeReason(sessionOf(u.accessToken)), 'LOGOUT');
  });

  it('logout with the access token alone still works; with nothing at all it is SIGN_IN_REQUIRED and still clears the cookie', async () => {
    const u = await registerUser(t);
    assert.equal((await t.ok<{ logout: boolean }>(LOGOUT, {}, { token: u.accessToken })).logout, true);
    assert.equal(await revokeReason(sessionOf(u.accessToken)), 'LOGOUT');
    const anonymous = await t.call(LOGOUT, {});
    assert.deepEqual([codes(anonymous), reasonOf(anonymous)], [['UNAUTHENTICATED'], 'SIGN_IN_REQUIRED']);
    assert.equal(cookieOf(anonymous), '');
  });

  it('answers WRONG_CREDENTIALS for a wrong password, an unknown account and a malformed identifier', async () => {
    const u = await registerUser(t);
    for (const i of [
      { email: u.email, password: 'Wr0ng-password' },
      { email: `nobody_${randomUUID()}@example.com`, password: PASSWORD },
      { email: 'not an address', password: PASSWORD },
      { phone: '123', password: PASSWORD },
    ]) {
      const r = await t.call(LOGIN, { i });
      assert.deepEqual([codes(r), reasonOf(r)], [['UNAUTHENTICATED'], 'WRONG_CREDENTIALS'], JSON.stringify(i));
    }
    const missing = await t.call(LOGIN, { i: { password: PASSWORD } });
    assert.deepEqual([codes(missing), missing.errors![0]!.extensions!.field], [['BAD_USER_INPUT'], 'input.email']);
  });

  it('me: null with UNAUTHENTICATED (SIGN_IN_REQUIRED) on that field only; SESSION_ENDED for a deleted account', async () => {
    const anon = await t.call<{ me: null; nigerianStates: string[] }>(`{ me { id } nigerianStates }`);
    assert.equal(anon.data!.me, null);
    assert.equal(anon.data!.nigerianStates.length, 37, 'the rest of the query answers');
    assert.deepEqual(
      anon.errors!.map((e) => [e.extensions!.code, e.extensions!.reason, (e as { path?: unknown }).path]),
      [['UNAUTHENTICATED', 'SIGN_IN_REQUIRED', ['me']]],
    );
    const u = await registerUser(t);
    await t.sql(`UPDATE app_user SET deleted_at = now() WHERE id = $1`, [u.user.id]);
    const gone = await t.call(`{ me { id } }`, {}, { token: u.accessToken });
    assert.deepEqual([gone.data, reasonOf(gone)], [{ me: null }, 'SESSION_ENDED']);
  });
});
