import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { AUTH_FIELDS, codes, lastMessage, registerUser, startTestIdentity, type TestIdentity } from './helpers';

const tokenIn = (body: string) => /token=([A-Za-z0-9_-]+)/.exec(body)?.[1] ?? '';
const codeIn = (body: string) => /\b(\d{6})\b/.exec(body)?.[1] ?? '';
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const VERIFY = `mutation($t: String!) { verifyEmail(token: $t) }`;
const RESET = `mutation($i: ResetPasswordInput!) { resetPassword(input: $i) }`;
const REQUEST_RESET = `mutation($i: RequestPasswordResetInput!) { requestPasswordReset(input: $i) }`;
const LOGIN = `mutation($i: LoginInput!) { login(input: $i) { ${AUTH_FIELDS} } }`;

describe('identity: deleted accounts, stale links and personal data', () => {
  let t: TestIdentity;
  before(async () => {
    t = await startTestIdentity();
  });
  after(() => t.stop());

  it('kills every outstanding link and code on deletion: an old verification link cannot revive the account', async () => {
    const u = await registerUser(t, {}, { userAgent: 'ada-phone' });
    const verifyLink = tokenIn((await lastMessage(t, u.email))!.body);
    await t.ok(REQUEST_RESET, { i: { email: u.email } });
    const resetLink = tokenIn((await lastMessage(t, u.email))!.body);
    await t.ok(REQUEST_RESET, { i: { phone: u.phone } });
    const resetCode = codeIn((await lastMessage(t, u.phone))!.body);
    await t.ok(`mutation { deleteAccount(password: "Str0ng-Passw0rd") }`, {}, { token: u.accessToken });

    const live = await t.sql<{ n: string }>(
      `SELECT (SELECT count(*) FROM verification_token WHERE user_id = $1 AND used_at IS NULL)
            + (SELECT count(*) FROM phone_otp WHERE user_id = $1 AND consumed_at IS NULL) AS n`,
      [u.user.id],
    );
    assert.equal(live[0]!.n, '0', 'no live token or code is left');
    const revive = await t.call(VERIFY, { t: verifyLink });
    assert.deepEqual(codes(revive), ['BAD_USER_INPUT']);
    assert.equal(revive.errors![0]!.extensions!.field, 'token');
    assert.deepEqual(codes(await t.call(RESET, { i: { token: resetLink, newPassword: 'N3w-Passw0rd' } })), ['BAD_USER_INPUT']);
    assert.deepEqual(codes(await t.call(RESET, { i: { phone: u.phone, code: resetCode, newPassword: 'N3w-Passw0rd' } })), [
      'BAD_USER_INPUT',
    ]);
    const [row] = await t.sql<{ email: string | null; email_verified_at: Date | null }>(
      `SELECT email, email_verified_at FROM app_user WHERE id = $1`,
      [u.user.id],
    );
    assert.deepEqual(row, { email: null, email_verified_at: null });
  });

  it("refuses a deleted account's link even if it was still marked unused", async () => {
    const u = await registerUser(t);
    const verifyLink = tokenIn((await lastMessage(t, u.email))!.body);
    await t.ok(`mutation { deleteAccount(password: "Str0ng-Passw0rd") }`, {}, { token: u.accessToken });
    await t.sql(`UPDATE verification_token SET used_at = NULL WHERE user_id = $1`, [u.user.id]);
    assert.deepEqual(codes(await t.call(VERIFY, { t: verifyLink })), ['BAD_USER_INPUT']);
    const [row] = await t.sql<{ email: string | null }>(`SELECT email FROM app_user WHERE id = $1`, [u.user.id]);
    assert.equal(row!.email, null);
  });

  it('kills the old links once a change of e-mail completes, and a VERIFY_EMAIL link only verifies the current address', async () => {
    const u = await registerUser(t);
    const oldLink = tokenIn((await lastMessage(t, u.email))!.body);
    await t.ok(REQUEST_RESET, { i: { email: u.email } });
    const oldReset = tokenIn((await lastMessage(t, u.email))!.body);
    const next = `moved_${u.email}`;
    await t.ok(`mutation($e: String!) { changeEmail(newEmail: $e, password: "Str0ng-Passw0rd") }`, { e: next }, { token: u.accessToken });
    await t.ok(VERIFY, { t: tokenIn((await lastMessage(t, next))!.body) });
    assert.deepEqual(codes(await t.call(VERIFY, { t: oldLink })), ['BAD_USER_INPUT'], 'the sign-up link to the old address is dead');
    assert.deepEqual(codes(await t.call(RESET, { i: { token: oldReset, newPassword: 'N3w-Passw0rd' } })), ['BAD_USER_INPUT']);
    const me = (
      await t.ok<{ me: { email: string; emailVerified: boolean } }>(`{ me { email emailVerified } }`, {}, { token: u.accessToken })
    ).me;
    assert.deepEqual(me, { email: next, emailVerified: true });

    // A VERIFY_EMAIL link whose address is no longer the account's does not verify the new one.
    const v = await registerUser(t);
    const link = tokenIn((await lastMessage(t, v.email))!.body);
    await t.sql(`UPDATE app_user SET email = $2 WHERE id = $1`, [v.user.id, `other_${v.email}`]);
    assert.deepEqual(codes(await t.call(VERIFY, { t: link })), ['BAD_USER_INPUT']);
    const [row] = await t.sql<{ email_verified_at: Date | null }>(`SELECT email_verified_at FROM app_user WHERE id = $1`, [v.user.id]);
    assert.equal(row!.email_verified_at, null);
  });

  it('keeps no contact details after deletion: hashed login identifiers, blank sessions, lean events', async () => {
    const u = await registerUser(t, {}, { ip: '10.30.0.1', userAgent: 'ada-laptop' });
    await t.call(LOGIN, { i: { email: u.email.toUpperCase(), password: 'wrong-Passw0rd1' } }, { ip: '10.30.0.2' });
    await t.ok(LOGIN, { i: { phone: `0${u.phone.slice(4)}`, password: 'Str0ng-Passw0rd' } }, { ip: '10.30.0.3', userAgent: 'ada-phone' });
    const trail = await t.sql<{ identifier: string }>(`SELECT identifier FROM login_event WHERE user_id = $1 ORDER BY id`, [u.user.id]);
    assert.deepEqual(
      trail.map((e) => e.identifier),
      [sha256(u.email), sha256(u.email), sha256(u.phone)],
      'the SHA-256 of the normalised identifier',
    );
    const [registered] = await t.sql<{ payload: Record<string, unknown> }>(
      `SELECT payload FROM outbox_event WHERE type = 'identity.user.registered' AND payload->>'userId' = $1`,
      [u.user.id],
    );
    assert.deepEqual(registered!.payload, { userId: u.user.id, roles: ['CUSTOMER'] });

    await t.ok(`mutation { deleteAccount(password: "Str0ng-Passw0rd") }`, {}, { token: u.accessToken });
    const sessions = await t.sql<{ ip_address: string | null; user_agent: string | null }>(
      `SELECT ip_address, user_agent FROM session WHERE user_id = $1`,
      [u.user.id],
    );
    assert.equal(sessions.length, 2);
    assert.ok(
      sessions.every((s) => s.ip_address === null && s.user_agent === null),
      JSON.stringify(sessions),
    );
  });

  it('erases messages, codes, links and the sign-in trail of a deleted account, pending e-mail change included', async () => {
    const u = await registerUser(t, {}, { ip: '10.31.0.1', userAgent: 'erase-me-agent' });
    const other = await registerUser(t);
    const pending = `pending_${u.email}`;
    await t.ok(REQUEST_RESET, { i: { email: u.email } });
    await t.ok(REQUEST_RESET, { i: { phone: u.phone } });
    await t.ok(
      `mutation($e: String!) { changeEmail(newEmail: $e, password: "Str0ng-Passw0rd") }`,
      { e: pending },
      { token: u.accessToken },
    );
    await t.call(LOGIN, { i: { email: u.email, password: 'wrong-Passw0rd1' } }, { ip: '10.31.0.2', userAgent: 'erase-me-agent' });
    // A failed attempt with the address but no account id (as before sign-up) is the person's too.
    await t.sql(`INSERT INTO login_event (identifier, outcome, ip_address) VALUES ($1, 'FAILURE', '10.31.0.9')`, [sha256(u.email)]);
    await t.ok(`mutation { deleteAccount(password: "Str0ng-Passw0rd") }`, {}, { token: u.accessToken });

    const mine = [u.email, u.phone, pending];
    const [left] = await t.sql<{ messages: number; bodies: number; tokens: number; codes: number; trail: number }>(
      `SELECT (SELECT count(*)::int FROM outbound_message WHERE recipient = ANY($1)) AS messages,
              (SELECT count(*)::int FROM outbound_message WHERE recipient = 'erased' AND body <> '(delivered; content not kept)') AS bodies,
              (SELECT count(*)::int FROM verification_token WHERE user_id = $2) AS tokens,
              (SELECT count(*)::int FROM phone_otp WHERE user_id = $2) AS codes,
              (SELECT count(*)::int FROM login_event WHERE (user_id = $2 OR identifier = $3)
                 AND (identifier <> 'erased' OR ip_address IS NOT NULL OR user_agent IS NOT NULL)) AS trail`,
      [mine, u.user.id, sha256(u.email)],
    );
    assert.deepEqual(left, { messages: 0, bodies: 0, tokens: 0, codes: 0, trail: 0 });
    const [erasedTrail] = await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM login_event WHERE identifier = 'erased'`);
    assert.ok(erasedTrail!.n >= 2, 'the rows stay (outcomes and times), blanked');
    const [kept] = await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM outbound_message WHERE recipient = $1`, [other.email]);
    assert.ok(kept!.n > 0, "another person's messages are untouched");
    await assert.rejects(t.sql(`UPDATE login_event SET ip_address = NULL WHERE user_id = $1`, [other.user.id]), /append-only/);
  });

  it('answers UNAUTHENTICATED to `me` for a deleted account', async () => {
    const u = await registerUser(t);
    await t.ok(`mutation { deleteAccount(password: "Str0ng-Passw0rd") }`, {}, { token: u.accessToken });
    assert.deepEqual(codes(await t.call(`{ me { id } }`, {}, { token: u.accessToken })), ['UNAUTHENTICATED']);
  });

  it('hashes the identifiers of login events written before the change', async () => {
    const ds = t.server.dataSource;
    // Back to before the hashing migration (the erasable-trail one came after it).
    await ds.undoLastMigration({ transaction: 'each' });
    await ds.undoLastMigration({ transaction: 'each' });
    await t.sql(`INSERT INTO login_event (identifier, outcome) VALUES ('legacy@example.com', 'FAILURE'), ('+2348030000000', 'FAILURE')`);
    await ds.runMigrations({ transaction: 'each' });
    const rows = await t.sql<{ identifier: string }>(
      `SELECT identifier FROM login_event WHERE user_id IS NULL AND outcome = 'FAILURE' ORDER BY id`,
    );
    const ids = rows.map((r) => r.identifier);
    assert.ok(ids.includes(sha256('legacy@example.com')) && ids.includes(sha256('+2348030000000')), JSON.stringify(ids));
    assert.ok(
      ids.every((i) => /^[0-9a-f]{64}$/.test(i)),
      'nothing hashed twice, nothing left in clear',
    );
    const before = new Set(ids);
    await ds.undoLastMigration({ transaction: 'each' });
    await ds.undoLastMigration({ transaction: 'each' });
    await ds.runMigrations({ transaction: 'each' });
    const again = (
      await t.sql<{ identifier: string }>(`SELECT identifier FROM login_event WHERE user_id IS NULL AND outcome = 'FAILURE'`)
    ).map((r) => r.identifier);
    assert.deepEqual(new Set(again), before, 'running it again changes nothing');
  });
});
