import { revokedSessionKey } from '@fashionistar/shared';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AUTH_FIELDS, codes, identityFromToken, registerUser, startTestIdentity, type Auth, type TestIdentity } from './helpers';

const REFRESH = `mutation($t: String!) { refresh(refreshToken: $t) { ${AUTH_FIELDS} } }`;

describe('identity: sessions and refresh tokens', () => {
  let t: TestIdentity;
  before(async () => {
    t = await startTestIdentity();
  });
  after(() => t.stop());

  const refresh = (token: string) => t.call<{ refresh: Auth }>(REFRESH, { t: token });

  it('rotates refresh tokens within one session and stores only their hashes', async () => {
    const u = await registerUser(t);
    const r1 = await refresh(u.refreshToken);
    assert.equal(r1.errors, undefined);
    const next = r1.data!.refresh;
    assert.notEqual(next.refreshToken, u.refreshToken);
    assert.equal(identityFromToken(next.accessToken).sessionId, identityFromToken(u.accessToken).sessionId);
    const stored = await t.sql<{ token_hash: string }>(`SELECT token_hash FROM refresh_token`);
    assert.ok(stored.every((r) => r.token_hash !== u.refreshToken && r.token_hash !== next.refreshToken));
    assert.deepEqual(codes(await refresh('made-up-token')), ['UNAUTHENTICATED']);
  });

  it('treats reuse of a rotated token as theft: the whole family ends and its access tokens are listed as revoked', async () => {
    const u = await registerUser(t);
    const sessionId = identityFromToken(u.accessToken).sessionId;
    const r1 = (await refresh(u.refreshToken)).data!.refresh;
    const reuse = await refresh(u.refreshToken);
    assert.deepEqual(codes(reuse), ['UNAUTHENTICATED']);
    assert.equal(reuse.data, null);
    assert.deepEqual(codes(await refresh(r1.refreshToken)), ['UNAUTHENTICATED'], 'the newest token of the family fails too');
    const [s] = await t.sql<{ revoke_reason: string }>(`SELECT revoke_reason FROM session WHERE id = $1`, [sessionId]);
    assert.equal(s!.revoke_reason, 'REFRESH_TOKEN_REUSED');
    assert.equal(await t.infra.kv.get(revokedSessionKey(sessionId)), 'REFRESH_TOKEN_REUSED');
  });

  it('lets exactly one of two concurrent refreshes with the same token win, and treats the other as reuse', async () => {
    // By default there is no grace window for a just-rotated token: a thief replaying a stolen
    // token right after the victim refreshed is indistinguishable from a client racing itself, and
    // the API contract says any reuse kills the family. So clients must keep ONE refresh in flight
    // per session; a client that races itself is signed out, as asserted here (the optional
    // window, REFRESH_REUSE_GRACE_SECONDS, is tested in refresh-grace.test.ts).
    const u = await registerUser(t);
    const sessionId = identityFromToken(u.accessToken).sessionId;
    const results = await Promise.all([refresh(u.refreshToken), refresh(u.refreshToken)]);
    const wins = results.filter((r) => !r.errors);
    assert.equal(wins.length, 1, JSON.stringify(results.map((r) => codes(r))));
    assert.deepEqual(codes(results.find((r) => r.errors)!), ['UNAUTHENTICATED']);
    const [s] = await t.sql<{ revoke_reason: string | null }>(`SELECT revoke_reason FROM session WHERE id = $1`, [sessionId]);
    assert.equal(s!.revoke_reason, 'REFRESH_TOKEN_REUSED', 'the losing request is reuse: the session ends');
    assert.deepEqual(codes(await refresh(wins[0]!.data!.refresh.refreshToken)), ['UNAUTHENTICATED'], "the winner's new token is dead too");
  });

  it('logout ends the current session only', async () => {
    const u = await registerUser(t);
    const other = (
      await t.ok<{ login: Auth }>(`mutation($i: LoginInput!) { login(input: $i) { ${AUTH_FIELDS} } }`, {
        i: { email: u.email, password: 'Str0ng-Passw0rd' },
      })
    ).login;
    const out = await t.ok<{ logout: boolean }>(`mutation { logout }`, {}, { token: u.accessToken });
    assert.equal(out.logout, true);
    assert.deepEqual(codes(await refresh(u.refreshToken)), ['UNAUTHENTICATED']);
    assert.equal(await t.infra.kv.get(revokedSessionKey(identityFromToken(u.accessToken).sessionId)), 'LOGOUT');
    assert.equal((await refresh(other.refreshToken)).errors, undefined, 'the other device stays signed in');
    assert.deepEqual(codes(await t.call(`mutation { logout }`)), ['UNAUTHENTICATED']);
  });

  it('lists sessions with the current one marked, and revokes one or all others', async () => {
    const u = await registerUser(t);
    const second = (
      await t.ok<{ login: Auth }>(
        `mutation($i: LoginInput!) { login(input: $i) { ${AUTH_FIELDS} } }`,
        { i: { email: u.email, password: 'Str0ng-Passw0rd' } },
        { userAgent: 'phone-app' },
      )
    ).login;
    await t.ok(`mutation($i: LoginInput!) { login(input: $i) { accessToken } }`, { i: { email: u.email, password: 'Str0ng-Passw0rd' } });
    const list = (
      await t.ok<{ mySessions: Array<{ id: string; current: boolean; userAgent: string | null }> }>(
        `{ mySessions { id current userAgent } }`,
        {},
        { token: u.accessToken },
      )
    ).mySessions;
    assert.equal(list.length, 3);
    assert.deepEqual(
      list.filter((s) => s.current).map((s) => s.id),
      [identityFromToken(u.accessToken).sessionId],
    );
    assert.ok(list.some((s) => s.userAgent === 'phone-app'));

    const stranger = await registerUser(t);
    const notMine = await t.call(
      `mutation($id: ID!) { revokeSession(id: $id) }`,
      { id: identityFromToken(second.accessToken).sessionId },
      { token: stranger.accessToken },
    );
    assert.deepEqual(codes(notMine), ['NOT_FOUND']);
    assert.deepEqual(codes(await t.call(`mutation { revokeSession(id: "not-a-uuid") }`, {}, { token: u.accessToken })), ['NOT_FOUND']);

    await t.ok(
      `mutation($id: ID!) { revokeSession(id: $id) }`,
      { id: identityFromToken(second.accessToken).sessionId },
      { token: u.accessToken },
    );
    assert.deepEqual(codes(await refresh(second.refreshToken)), ['UNAUTHENTICATED']);
    const ended = await t.ok<{ revokeOtherSessions: number }>(`mutation { revokeOtherSessions }`, {}, { token: u.accessToken });
    assert.equal(ended.revokeOtherSessions, 1);
    const left = (await t.ok<{ mySessions: Array<{ current: boolean }> }>(`{ mySessions { current } }`, {}, { token: u.accessToken }))
      .mySessions;
    assert.deepEqual(left, [{ current: true }]);
  });

  it('keeps a trail of sign-in attempts for the user', async () => {
    const u = await registerUser(t);
    await t.call(
      `mutation($i: LoginInput!) { login(input: $i) { accessToken } }`,
      { i: { email: u.email, password: 'bad-Passw0rd1' } },
      { ip: '10.3.3.3' },
    );
    const events = (
      await t.ok<{ myLoginEvents: Array<{ outcome: string; reason: string | null; ipAddress: string }> }>(
        `{ myLoginEvents(first: 5) { outcome reason ipAddress at } }`,
        {},
        { token: u.accessToken },
      )
    ).myLoginEvents;
    assert.equal(events[0]!.outcome, 'FAILURE');
    assert.equal(events[0]!.ipAddress, '10.3.3.3');
    assert.equal(events.at(-1)!.outcome, 'SUCCESS');
  });
});
