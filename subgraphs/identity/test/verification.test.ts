import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AUTH_FIELDS, codes, lastMessage, registerUser, startTestIdentity, type Auth, type TestIdentity } from './helpers';

const tokenIn = (body: string) => /token=([A-Za-z0-9_-]+)/.exec(body)?.[1] ?? '';
const codeIn = (body: string) => /\b(\d{6})\b/.exec(body)?.[1] ?? '';
const LOGIN = `mutation($i: LoginInput!) { login(input: $i) { ${AUTH_FIELDS} } }`;

describe('identity: verification, codes and password changes', () => {
  let t: TestIdentity;
  before(async () => {
    t = await startTestIdentity({ OTP_SENDS_PER_WINDOW: '3', OTP_MAX_ATTEMPTS: '5' });
  });
  after(() => t.stop());

  it('verifies an e-mail with a single-use, expiring, hashed link token', async () => {
    const u = await registerUser(t);
    const msg = await lastMessage(t, u.email);
    assert.equal(msg?.template, 'verify-email');
    const token = tokenIn(msg!.body);
    assert.ok(token.length >= 40);
    const rows = await t.sql<{ token_hash: string }>(`SELECT token_hash FROM verification_token WHERE user_id = $1`, [u.user.id]);
    assert.ok(rows.length === 1 && rows[0]!.token_hash !== token, 'only the hash is stored');
    assert.equal(
      (await t.ok<{ verifyEmail: boolean }>(`mutation($t: String!) { verifyEmail(token: $t) }`, { t: token })).verifyEmail,
      true,
    );
    const me = await t.ok<{ me: { emailVerified: boolean } }>(`{ me { emailVerified } }`, {}, { token: u.accessToken });
    assert.equal(me.me.emailVerified, true);
    assert.deepEqual(
      codes(await t.call(`mutation($t: String!) { verifyEmail(token: $t) }`, { t: token })),
      ['BAD_USER_INPUT'],
      'single use',
    );

    const v = await registerUser(t);
    const expired = tokenIn((await lastMessage(t, v.email))!.body);
    await t.sql(`UPDATE verification_token SET expires_at = now() - interval '1 second' WHERE user_id = $1`, [v.user.id]);
    assert.deepEqual(codes(await t.call(`mutation($t: String!) { verifyEmail(token: $t) }`, { t: expired })), ['BAD_USER_INPUT']);
  });

  it('verifies a phone with a 6-digit code that is hashed, expires and dies after 5 wrong entries', async () => {
    const u = await registerUser(t);
    const sms = await lastMessage(t, u.phone);
    assert.equal(sms?.template, 'phone-otp');
    const code = codeIn(sms!.body);
    assert.match(code, /^\d{6}$/);
    const stored = await t.sql<{ code_hash: string }>(`SELECT code_hash FROM phone_otp WHERE user_id = $1`, [u.user.id]);
    assert.ok(!stored[0]!.code_hash.includes(code));
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i++) {
      assert.deepEqual(
        codes(await t.call(`mutation($c: String!) { verifyPhone(code: $c) { id } }`, { c: wrong }, { token: u.accessToken })),
        ['BAD_USER_INPUT'],
      );
    }
    const dead = await t.call(`mutation($c: String!) { verifyPhone(code: $c) { id } }`, { c: code }, { token: u.accessToken });
    assert.deepEqual(codes(dead), ['BAD_USER_INPUT'], 'the right code no longer works after 5 wrong entries');

    await t.ok(`mutation { requestPhoneVerification }`, {}, { token: u.accessToken });
    const fresh = codeIn((await lastMessage(t, u.phone))!.body);
    const ok = await t.ok<{ verifyPhone: { phoneVerified: boolean } }>(
      `mutation($c: String!) { verifyPhone(code: $c) { phoneVerified } }`,
      { c: fresh },
      { token: u.accessToken },
    );
    assert.equal(ok.verifyPhone.phoneVerified, true);
  });

  it('limits codes sent to one phone', async () => {
    const u = await registerUser(t); // one code sent at sign-up
    await t.ok(`mutation { requestPhoneVerification }`, {}, { token: u.accessToken });
    await t.ok(`mutation { requestPhoneVerification }`, {}, { token: u.accessToken });
    const limited = await t.call(`mutation { requestPhoneVerification }`, {}, { token: u.accessToken });
    assert.deepEqual(codes(limited), ['RATE_LIMITED']);
    const sent = await t.sql<{ n: string }>(`SELECT count(*) AS n FROM outbound_message WHERE recipient = $1`, [u.phone]);
    assert.equal(sent[0]!.n, '3');
  });

  it('resets a password by e-mail link: every session ends, the new password works', async () => {
    const u = await registerUser(t);
    assert.equal(
      (
        await t.ok<{ requestPasswordReset: boolean }>(`mutation($i: RequestPasswordResetInput!) { requestPasswordReset(input: $i) }`, {
          i: { email: u.email },
        })
      ).requestPasswordReset,
      true,
    );
    const msg = await lastMessage(t, u.email);
    assert.equal(msg?.template, 'password-reset');
    await t.ok(`mutation($i: ResetPasswordInput!) { resetPassword(input: $i) }`, {
      i: { token: tokenIn(msg!.body), newPassword: 'N3w-Passw0rd' },
    });
    assert.deepEqual(codes(await t.call(`mutation($t: String!) { refresh(refreshToken: $t) { accessToken } }`, { t: u.refreshToken })), [
      'UNAUTHENTICATED',
    ]);
    assert.deepEqual(codes(await t.call(LOGIN, { i: { email: u.email, password: 'Str0ng-Passw0rd' } })), ['UNAUTHENTICATED']);
    await t.ok(LOGIN, { i: { email: u.email, password: 'N3w-Passw0rd' } });
    const again = await t.call(`mutation($i: ResetPasswordInput!) { resetPassword(input: $i) }`, {
      i: { token: tokenIn(msg!.body), newPassword: 'Other-Passw0rd1' },
    });
    assert.deepEqual(codes(again), ['BAD_USER_INPUT']);
  });

  it('resets a password by SMS code, and answers true for unknown accounts without sending anything', async () => {
    const u = await registerUser(t);
    await t.ok(`mutation($i: RequestPasswordResetInput!) { requestPasswordReset(input: $i) }`, { i: { phone: u.phone } });
    const msg = await lastMessage(t, u.phone);
    assert.equal(msg?.template, 'password-reset-otp');
    await t.ok(`mutation($i: ResetPasswordInput!) { resetPassword(input: $i) }`, {
      i: { phone: u.phone, code: codeIn(msg!.body), newPassword: 'N3w-Passw0rd' },
    });
    await t.ok(LOGIN, { i: { phone: u.phone, password: 'N3w-Passw0rd' } });

    const before = await t.sql<{ n: string }>(`SELECT count(*) AS n FROM outbound_message`);
    const r = await t.ok<{ requestPasswordReset: boolean }>(
      `mutation($i: RequestPasswordResetInput!) { requestPasswordReset(input: $i) }`,
      { i: { email: 'nobody-here@example.com' } },
    );
    assert.equal(r.requestPasswordReset, true);
    const afterCount = await t.sql<{ n: string }>(`SELECT count(*) AS n FROM outbound_message`);
    assert.equal(afterCount[0]!.n, before[0]!.n);
  });

  it('changes the password with the current one and ends the other sessions only', async () => {
    const u = await registerUser(t);
    const other = (await t.ok<{ login: Auth }>(LOGIN, { i: { email: u.email, password: 'Str0ng-Passw0rd' } })).login;
    const wrong = await t.call(
      `mutation { changePassword(currentPassword: "nope-Passw0rd1", newPassword: "N3w-Passw0rd") }`,
      {},
      { token: u.accessToken },
    );
    assert.deepEqual(codes(wrong), ['BAD_USER_INPUT']);
    assert.equal(wrong.errors![0]!.extensions!.field, 'currentPassword');
    await t.ok(
      `mutation { changePassword(currentPassword: "Str0ng-Passw0rd", newPassword: "N3w-Passw0rd") }`,
      {},
      { token: u.accessToken },
    );
    assert.deepEqual(
      codes(await t.call(`mutation($t: String!) { refresh(refreshToken: $t) { accessToken } }`, { t: other.refreshToken })),
      ['UNAUTHENTICATED'],
    );
    assert.equal(
      (await t.call(`mutation($t: String!) { refresh(refreshToken: $t) { accessToken } }`, { t: u.refreshToken })).errors,
      undefined,
    );
  });

  it('changes e-mail only once the new address is confirmed', async () => {
    const u = await registerUser(t);
    const taken = await registerUser(t);
    assert.deepEqual(
      codes(
        await t.call(
          `mutation($e: String!) { changeEmail(newEmail: $e, password: "Str0ng-Passw0rd") }`,
          { e: taken.email },
          { token: u.accessToken },
        ),
      ),
      ['CONFLICT'],
    );
    const next = `new_${u.email}`;
    await t.ok(
      `mutation($e: String!) { changeEmail(newEmail: $e, password: "Str0ng-Passw0rd") }`,
      { e: next.toUpperCase() },
      { token: u.accessToken },
    );
    let me = (await t.ok<{ me: { email: string } }>(`{ me { email } }`, {}, { token: u.accessToken })).me;
    assert.equal(me.email, u.email, 'unchanged until confirmed');
    const msg = await lastMessage(t, next);
    await t.ok(`mutation($t: String!) { verifyEmail(token: $t) }`, { t: tokenIn(msg!.body) });
    me = (await t.ok<{ me: { email: string; emailVerified: boolean } }>(`{ me { email emailVerified } }`, {}, { token: u.accessToken })).me;
    assert.deepEqual(me, { email: next, emailVerified: true });
  });

  it('changes phone only once the code sent to the new number is entered', async () => {
    const u = await registerUser(t);
    const next = `+234805${u.phone.slice(-7)}`;
    await t.ok(`mutation($p: String!) { changePhone(newPhone: $p, password: "Str0ng-Passw0rd") }`, { p: next }, { token: u.accessToken });
    const code = codeIn((await lastMessage(t, next))!.body);
    const d = await t.ok<{ verifyPhone: { phone: string; phoneVerified: boolean } }>(
      `mutation($c: String!) { verifyPhone(code: $c) { phone phoneVerified } }`,
      { c: code },
      { token: u.accessToken },
    );
    assert.deepEqual(d.verifyPhone, { phone: next, phoneVerified: true });
  });
});
