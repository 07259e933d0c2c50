import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { loadIdentityConfig } from '../src/config';
import { AUTH_FIELDS, codes, lastMessage, registerUser, startTestIdentity, type TestIdentity } from './helpers';

const tokenIn = (body: string) => /token=([A-Za-z0-9_-]+)/.exec(body)?.[1] ?? '';
const codeIn = (body: string) => /\b(\d{6})\b/.exec(body)?.[1] ?? '';
const REQUEST_RESET = `mutation($i: RequestPasswordResetInput!) { requestPasswordReset(input: $i) }`;
const RESET = `mutation($i: ResetPasswordInput!) { resetPassword(input: $i) }`;
const LOGIN = `mutation($i: LoginInput!) { login(input: $i) { ${AUTH_FIELDS} } }`;
const SECRET = 'test-identity-secret-0123';
const SENDS = 3;

describe('identity: password reset requests, atomic resets and code hashing', () => {
  let t: TestIdentity;
  before(async () => {
    t = await startTestIdentity({ OTP_SENDS_PER_WINDOW: String(SENDS), IDENTITY_SECRET: SECRET });
  });
  after(() => t.stop());

  const resetMessages = async (to: string, template: string) =>
    Number(
      (await t.sql<{ n: string }>(`SELECT count(*) AS n FROM outbound_message WHERE recipient = $1 AND template = $2`, [to, template]))[0]!
        .n,
    );

  it('answers an existing and an unknown phone alike, and sends an existing one at most the limit', async () => {
    const u = await registerUser(t); // one SMS code sent at sign-up
    const unknown = `+234809${u.phone.slice(-7)}`;
    const answer = async (phone: string) => {
      const r = await t.call(REQUEST_RESET, { i: { phone } });
      return JSON.stringify({ data: r.data, codes: codes(r), status: r.status });
    };
    const known: string[] = [];
    const other: string[] = [];
    for (let i = 0; i < 5; i++) {
      known.push(await answer(u.phone));
      other.push(await answer(unknown));
    }
    assert.deepEqual(known, other);
    assert.ok(
      known.every((a) => a === JSON.stringify({ data: { requestPasswordReset: true }, codes: [], status: 200 })),
      known.join(),
    );
    const sent = await resetMessages(u.phone, 'password-reset-otp');
    assert.ok(sent >= 1 && sent <= SENDS, `between 1 and ${SENDS} reset codes, got ${sent}`);
    assert.equal(await resetMessages(unknown, 'password-reset-otp'), 0);
  });

  it('sends an existing e-mail at most the limit of reset links, still answering true', async () => {
    const u = await registerUser(t);
    for (let i = 0; i < 5; i++) {
      assert.deepEqual(await t.ok(REQUEST_RESET, { i: { email: i % 2 ? u.email.toUpperCase() : u.email } }), {
        requestPasswordReset: true,
      });
    }
    assert.equal(await resetMessages(u.email, 'password-reset'), SENDS);
  });

  it('leaves the link usable when the reset fails half-way (one transaction)', async () => {
    const u = await registerUser(t);
    await t.ok(REQUEST_RESET, { i: { email: u.email } });
    const token = tokenIn((await lastMessage(t, u.email))!.body);
    await failCredentialUpdates(u.user.id);
    try {
      const r = await t.call(RESET, { i: { token, newPassword: 'N3w-Passw0rd' } });
      assert.deepEqual(codes(r), ['INTERNAL_SERVER_ERROR']);
    } finally {
      await restoreCredentialUpdates();
    }
    const [row] = await t.sql<{ used_at: Date | null }>(
      `SELECT used_at FROM verification_token WHERE user_id = $1 AND purpose = 'PASSWORD_RESET'`,
      [u.user.id],
    );
    assert.equal(row!.used_at, null, 'the token was not used up');
    assert.equal(
      (await t.call(`mutation($t: String!) { refresh(refreshToken: $t) { accessToken } }`, { t: u.refreshToken })).errors,
      undefined,
      'no session ended',
    );
    await t.ok(RESET, { i: { token, newPassword: 'N3w-Passw0rd' } });
    await t.ok(LOGIN, { i: { email: u.email, password: 'N3w-Passw0rd' } });
  });

  it('leaves the SMS code usable when the reset fails half-way', async () => {
    const u = await registerUser(t);
    await t.ok(REQUEST_RESET, { i: { phone: u.phone } });
    const code = codeIn((await lastMessage(t, u.phone))!.body);
    await failCredentialUpdates(u.user.id);
    try {
      assert.deepEqual(codes(await t.call(RESET, { i: { phone: u.phone, code, newPassword: 'N3w-Passw0rd' } })), ['INTERNAL_SERVER_ERROR']);
    } finally {
      await restoreCredentialUpdates();
    }
    const [otp] = await t.sql<{ consumed_at: Date | null; attempts: number }>(
      `SELECT consumed_at, attempts FROM phone_otp WHERE user_id = $1 AND purpose = 'PASSWORD_RESET'`,
      [u.user.id],
    );
    assert.equal(otp!.consumed_at, null);
    assert.equal(otp!.attempts, 1, 'the attempt still counts');
    await t.ok(RESET, { i: { phone: u.phone, code, newPassword: 'N3w-Passw0rd' } });
    await t.ok(LOGIN, { i: { phone: u.phone, password: 'N3w-Passw0rd' } });
  });

  it('stores SMS codes as HMAC-SHA256 keyed by IDENTITY_SECRET', async () => {
    const u = await registerUser(t);
    const code = codeIn((await lastMessage(t, u.phone))!.body);
    const [otp] = await t.sql<{ id: string; code_hash: string }>(`SELECT id, code_hash FROM phone_otp WHERE user_id = $1`, [u.user.id]);
    assert.equal(otp!.code_hash, createHmac('sha256', SECRET).update(`${otp!.id}:${code}`).digest('hex'));
    assert.notEqual(otp!.code_hash, createHash('sha256').update(`${otp!.id}:${code}`).digest('hex'));
  });

  it('requires IDENTITY_SECRET in production', () => {
    assert.throws(
      () => loadIdentityConfig({ NODE_ENV: 'production', ROUTER_SECRET: 'r'.repeat(32) }),
      /IDENTITY_SECRET must be set in production/,
    );
  });

  /** Makes every password update of `userId` fail, as a crash between two writes would. */
  async function failCredentialUpdates(userId: string) {
    await t.sql(`CREATE OR REPLACE FUNCTION test_fail_credential() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'credential update failed (test)'; END $$`);
    await t.sql(`CREATE TRIGGER test_fail_credential BEFORE UPDATE ON credential FOR EACH ROW
      WHEN (OLD.user_id = '${userId}') EXECUTE FUNCTION test_fail_credential()`);
  }

  async function restoreCredentialUpdates() {
    await t.sql(`DROP TRIGGER IF EXISTS test_fail_credential ON credential`);
  }
});
