import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '@fashionistar/shared';
import { seedIdentity } from '../src/seed/seed';
import { AUTH_FIELDS, PASSWORD, codes, loginAs, registerUser, startTestIdentity, uniqueContact, type TestIdentity } from './helpers';

const REGISTER = `mutation($input: RegisterInput!) { register(input: $input) { ${AUTH_FIELDS} } }`;
const LOGIN = `mutation($input: LoginInput!) { login(input: $input) { ${AUTH_FIELDS} } }`;

describe('identity: sign-up and sign-in', () => {
  let t: TestIdentity;
  before(async () => {
    t = await startTestIdentity({ LOGIN_FAILURE_LIMIT: '5', AUTH_ATTEMPTS_PER_IP: '25', AUTH_IP_WINDOW_SECONDS: '60' });
  });
  after(() => t.stop());

  it('registers with a normalised e-mail and phone, hashes the password, and signs in', async () => {
    const { email, phone } = uniqueContact();
    const local = `0${phone.slice(4)}`; // the same number written the Nigerian way
    const d = await t.ok<{
      register: { user: { id: string; email: string; phone: string; roles: string[] }; accessToken: string; refreshToken: string };
    }>(
      REGISTER,
      {
        input: {
          email: `  ${email.toUpperCase()} `,
          phone: local,
          password: 'Str0ng-Passw0rd',
          firstName: ' Ada ',
          lastName: 'Obi',
          role: 'VENDOR',
        },
      },
      { ip: '10.1.0.1' },
    );
    assert.equal(d.register.user.email, email);
    assert.equal(d.register.user.phone, phone);
    assert.deepEqual(d.register.user.roles, ['VENDOR']);
    assert.ok(d.register.accessToken.split('.').length === 3);
    const [cred] = await t.sql<{ secret: string }>(`SELECT secret FROM credential WHERE user_id = $1`, [d.register.user.id]);
    assert.match(cred!.secret, /^\$argon2id\$/);
    const [user] = await t.sql<{ first_name: string }>(`SELECT first_name FROM app_user WHERE id = $1`, [d.register.user.id]);
    assert.equal(user!.first_name, 'Ada');
    const events = await t.sql<{ type: string }>(`SELECT type FROM outbox_event WHERE payload->>'userId' = $1`, [d.register.user.id]);
    assert.deepEqual(
      events.map((e) => e.type).filter((x) => x === 'identity.user.registered'),
      ['identity.user.registered'],
    );
  });

  it('refuses bad input with BAD_USER_INPUT naming the field, and writes nothing', async () => {
    const before = await t.sql<{ n: string }>(`SELECT count(*) AS n FROM app_user`);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ email: 'not-an-email' }, 'input.email'],
      [{ email: undefined, phone: '12345' }, 'input.phone'],
      [{ email: undefined, phone: undefined }, 'input.email'],
      [{ password: 'short1' }, 'input.password'],
      [{ password: 'lettersonly' }, 'input.password'],
      [{ firstName: '   ' }, 'input.firstName'],
      [{ role: 'ADMIN' }, 'input.role'],
      [{ role: 'DELIVERY' }, 'input.role'],
    ];
    for (const [patch, field] of cases) {
      const input = { ...uniqueContact(), password: 'Str0ng-Passw0rd', firstName: 'A', lastName: 'B', ...patch };
      const r = await t.call(REGISTER, { input }, { ip: '10.1.0.2' });
      assert.deepEqual(codes(r), ['BAD_USER_INPUT'], JSON.stringify(patch));
      assert.equal(r.errors![0]!.extensions!.field, field, JSON.stringify(patch));
      assert.equal(r.data, null);
    }
    const afterCount = await t.sql<{ n: string }>(`SELECT count(*) AS n FROM app_user`);
    assert.equal(afterCount[0]!.n, before[0]!.n);
  });

  it('answers CONFLICT for a taken e-mail or phone, whatever their spelling', async () => {
    const u = await registerUser(t, {}, { ip: '10.1.0.3' });
    const dupEmail = await t.call(
      REGISTER,
      { input: { email: u.email.toUpperCase(), password: 'Str0ng-Passw0rd', firstName: 'A', lastName: 'B' } },
      { ip: '10.1.0.3' },
    );
    assert.deepEqual(codes(dupEmail), ['CONFLICT']);
    assert.equal(dupEmail.errors![0]!.extensions!.field, 'input.email');
    const dupPhone = await t.call(
      REGISTER,
      { input: { phone: `0${u.phone.slice(4)}`, password: 'Str0ng-Passw0rd', firstName: 'A', lastName: 'B' } },
      { ip: '10.1.0.3' },
    );
    assert.deepEqual(codes(dupPhone), ['CONFLICT']);
    assert.equal(dupPhone.errors![0]!.extensions!.field, 'input.phone');
  });

  it('signs in by e-mail or phone, and refuses wrong credentials with UNAUTHENTICATED', async () => {
    const u = await registerUser(t, {}, { ip: '10.1.0.4' });
    const byEmail = await t.ok<{ login: { user: { id: string } } }>(
      LOGIN,
      { input: { email: u.email, password: 'Str0ng-Passw0rd' } },
      { ip: '10.1.0.4' },
    );
    assert.equal(byEmail.login.user.id, u.user.id);
    const byPhone = await t.ok<{ login: { user: { id: string } } }>(
      LOGIN,
      { input: { phone: `0${u.phone.slice(4)}`, password: 'Str0ng-Passw0rd' } },
      { ip: '10.1.0.4' },
    );
    assert.equal(byPhone.login.user.id, u.user.id);
    for (const input of [
      { email: u.email, password: 'wrong-Passw0rd' },
      { email: 'nobody@example.com', password: 'Str0ng-Passw0rd' },
      { email: 'garbage', password: 'Str0ng-Passw0rd' },
    ]) {
      const r = await t.call(LOGIN, { input }, { ip: '10.1.0.4' });
      assert.deepEqual(codes(r), ['UNAUTHENTICATED'], JSON.stringify(input));
      assert.equal(r.data, null);
    }
  });

  it('locks an account after repeated failures (RATE_LIMITED even with the right password) and logs every attempt', async () => {
    const u = await registerUser(t, {}, { ip: '10.1.0.5' });
    for (let i = 0; i < 5; i++) {
      const r = await t.call(
        LOGIN,
        { input: { email: u.email, password: `wrong-${i}-Passw0rd` } },
        { ip: `10.1.1.${i}`, userAgent: 'test-agent' },
      );
      assert.deepEqual(codes(r), ['UNAUTHENTICATED']);
    }
    const locked = await t.call(LOGIN, { input: { email: u.email, password: 'Str0ng-Passw0rd' } }, { ip: '10.1.1.9' });
    assert.deepEqual(codes(locked), ['RATE_LIMITED']);
    const retryAfter = Number(locked.errors![0]!.extensions!.retryAfterSeconds);
    assert.ok(retryAfter > 0 && retryAfter <= 900, `retry after the rest of the window, got ${retryAfter}`);
    const events = await t.sql<{ outcome: string; reason: string; ip_address: string; user_agent: string | null }>(
      `SELECT outcome, reason, ip_address, user_agent FROM login_event WHERE user_id = $1 ORDER BY id`,
      [u.user.id],
    );
    assert.deepEqual(
      events.map((e) => e.outcome),
      ['SUCCESS', 'FAILURE', 'FAILURE', 'FAILURE', 'FAILURE', 'FAILURE', 'BLOCKED'],
    );
    assert.equal(events[1]!.reason, 'bad_password');
    assert.equal(events[1]!.ip_address, '10.1.1.0');
    assert.equal(events[1]!.user_agent, 'test-agent');
    // Another account is not affected.
    await loginAs(t, 'customer2@fashionistar.test', PASSWORD, { ip: '10.1.1.10' });
  });

  it('limits auth attempts per client IP across accounts', async () => {
    let limited = 0;
    for (let i = 0; i < 30; i++) {
      const r = await t.call(LOGIN, { input: { email: `ghost${i}@example.com`, password: 'whatever-1' } }, { ip: '10.9.9.9' });
      if (codes(r).includes('RATE_LIMITED')) limited++;
    }
    assert.equal(limited, 5, 'attempts 26..30 are refused');
    await loginAs(t, 'customer3@fashionistar.test', PASSWORD, { ip: '10.9.9.10' });
  });

  it('makes the login-event trail append-only', async () => {
    await assert.rejects(() => t.sql(`UPDATE login_event SET outcome = 'SUCCESS'`), /append-only/);
    await assert.rejects(() => t.sql(`DELETE FROM login_event`), /append-only/);
  });

  it('seeds the demo accounts idempotently with one shared password', async () => {
    const admin = await loginAs(t, 'admin@fashionistar.test', PASSWORD, { ip: '10.1.2.1' });
    assert.deepEqual(admin.user.roles, ['ADMIN']);
    const vendor = await loginAs(t, 'vendor1@fashionistar.test', PASSWORD, { ip: '10.1.2.1' });
    assert.deepEqual(vendor.user.roles, ['VENDOR']);
    assert.equal(await seedIdentity(t.server.dataSource, createLogger('t', 'silent')), 0, 'a second seed inserts nothing');
    const outbox = await t.sql<{ n: string }>(
      `SELECT count(*) AS n FROM outbox_event e JOIN app_user u ON e.payload->>'userId' = u.id::text WHERE u.email LIKE '%@fashionistar.test'`,
    );
    assert.equal(outbox[0]!.n, '0', 'no outbox event per seeded row');
  });
});
