import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AUTH_FIELDS, codes, registerUser, startTestIdentity, type TestIdentity } from './helpers';

const LOGIN = `mutation($input: LoginInput!) { login(input: $input) { ${AUTH_FIELDS} } }`;
const RIGHT = 'Str0ng-Passw0rd';
const LIMIT = 5;

describe('identity: password attempt limits', () => {
  let t: TestIdentity;
  before(async () => {
    t = await startTestIdentity({ LOGIN_FAILURE_LIMIT: String(LIMIT), AUTH_ATTEMPTS_PER_IP: '25', AUTH_IP_WINDOW_SECONDS: '60' });
  });
  after(() => t.stop());

  it('counts each sign-in attempt before the password is checked: parallel guesses get at most the limit', async () => {
    const u = await registerUser(t, {}, { ip: '10.20.0.1' });
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        t.call(LOGIN, { input: { email: u.email, password: `wrong-${i}-Passw0rd` } }, { ip: `10.20.1.${i}` }),
      ),
    );
    const outcome = results.map((r) => codes(r).join());
    const checked = outcome.filter((c) => c === 'UNAUTHENTICATED').length;
    assert.ok(checked <= LIMIT, `at most ${LIMIT} passwords checked, got ${checked}: ${outcome.join(' ')}`);
    assert.equal(outcome.filter((c) => c === 'RATE_LIMITED').length, 20 - checked, outcome.join(' '));
    const locked = await t.call(LOGIN, { input: { email: u.email, password: RIGHT } }, { ip: '10.20.2.1' });
    assert.deepEqual(codes(locked), ['RATE_LIMITED'], 'the right password is refused too while locked');
    const events = await t.sql<{ outcome: string; n: string }>(
      `SELECT outcome, count(*) AS n FROM login_event WHERE user_id = $1 GROUP BY outcome`,
      [u.user.id],
    );
    const by = Object.fromEntries(events.map((e) => [e.outcome, Number(e.n)]));
    assert.equal(by.FAILURE, checked);
    assert.equal(by.BLOCKED, 21 - checked, 'every refused attempt is logged as BLOCKED');
  });

  it("shares one budget between an account's e-mail and phone, and clears it on success", async () => {
    const u = await registerUser(t, {}, { ip: '10.21.0.1' });
    const local = `0${u.phone.slice(4)}`;
    for (let i = 0; i < 3; i++) {
      assert.deepEqual(codes(await t.call(LOGIN, { input: { email: u.email, password: `bad-${i}-Passw0rd` } }, { ip: '10.21.1.1' })), [
        'UNAUTHENTICATED',
      ]);
    }
    // A success clears the count, so only what follows counts.
    assert.equal((await t.call(LOGIN, { input: { phone: local, password: RIGHT } }, { ip: '10.21.1.2' })).errors, undefined);
    for (let i = 0; i < 3; i++) {
      assert.deepEqual(codes(await t.call(LOGIN, { input: { email: u.email, password: `bad-${i}-Passw0rd` } }, { ip: '10.21.1.3' })), [
        'UNAUTHENTICATED',
      ]);
    }
    for (let i = 0; i < 2; i++) {
      assert.deepEqual(codes(await t.call(LOGIN, { input: { phone: local, password: `bad-${i}-Passw0rd` } }, { ip: '10.21.1.4' })), [
        'UNAUTHENTICATED',
      ]);
    }
    assert.deepEqual(codes(await t.call(LOGIN, { input: { phone: u.phone, password: RIGHT } }, { ip: '10.21.1.5' })), ['RATE_LIMITED']);
    assert.deepEqual(codes(await t.call(LOGIN, { input: { email: u.email, password: RIGHT } }, { ip: '10.21.1.6' })), ['RATE_LIMITED']);
  });

  it('limits unknown identifiers by their normalised form, the same way as accounts', async () => {
    const answers: string[] = [];
    for (let i = 0; i < LIMIT + 2; i++) {
      const email = i % 2 ? 'Nobody.Here@Example.com' : ' nobody.here@example.com ';
      answers.push(codes(await t.call(LOGIN, { input: { email, password: 'Whatever-1' } }, { ip: `10.22.0.${i}` })).join());
    }
    assert.deepEqual(answers, [...Array(LIMIT).fill('UNAUTHENTICATED'), 'RATE_LIMITED', 'RATE_LIMITED']);
  });

  it('puts the password checks of account deletion and changes under the same per-account budget', async () => {
    const u = await registerUser(t, {}, { ip: '10.23.0.1' });
    const o = { token: u.accessToken, ip: '10.23.1.1' };
    assert.deepEqual(codes(await t.call(`mutation { deleteAccount(password: "wrong-Passw0rd1") }`, {}, o)), ['BAD_USER_INPUT']);
    assert.deepEqual(
      codes(await t.call(`mutation { changePassword(currentPassword: "wrong-Passw0rd1", newPassword: "N3w-Passw0rd") }`, {}, o)),
      ['BAD_USER_INPUT'],
    );
    assert.deepEqual(codes(await t.call(`mutation { changeEmail(newEmail: "x1@example.com", password: "wrong-Passw0rd1") }`, {}, o)), [
      'BAD_USER_INPUT',
    ]);
    assert.deepEqual(codes(await t.call(`mutation { changePhone(newPhone: "08059998877", password: "wrong-Passw0rd1") }`, {}, o)), [
      'BAD_USER_INPUT',
    ]);
    assert.deepEqual(codes(await t.call(LOGIN, { input: { email: u.email, password: 'wrong-Passw0rd1' } }, { ip: '10.23.1.2' })), [
      'UNAUTHENTICATED',
    ]);
    const refused = await t.call(`mutation { deleteAccount(password: "${RIGHT}") }`, {}, { ...o, ip: '10.23.1.3' });
    assert.deepEqual(codes(refused), ['RATE_LIMITED'], 'the right password is refused once the budget is spent');
    assert.ok(Number(refused.errors![0]!.extensions!.retryAfterSeconds) > 0);
    const [row] = await t.sql<{ deleted_at: Date | null }>(`SELECT deleted_at FROM app_user WHERE id = $1`, [u.user.id]);
    assert.equal(row!.deleted_at, null, 'not deleted');
    assert.deepEqual(codes(await t.call(LOGIN, { input: { email: u.email, password: RIGHT } }, { ip: '10.23.1.4' })), ['RATE_LIMITED']);
  });

  it('limits account deletion per client IP', async () => {
    const u = await registerUser(t, {}, { ip: '10.24.0.1' });
    for (let i = 0; i < 25; i++) {
      await t.call(LOGIN, { input: { email: `ghost${i}@example.com`, password: 'whatever-1' } }, { ip: '10.24.9.9' });
    }
    const r = await t.call(`mutation { deleteAccount(password: "${RIGHT}") }`, {}, { token: u.accessToken, ip: '10.24.9.9' });
    assert.deepEqual(codes(r), ['RATE_LIMITED']);
    assert.match(r.errors![0]!.message, /your address/);
    const [row] = await t.sql<{ deleted_at: Date | null }>(`SELECT deleted_at FROM app_user WHERE id = $1`, [u.user.id]);
    assert.equal(row!.deleted_at, null);
  });
});
