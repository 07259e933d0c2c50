import { revokedSessionKey } from '@fashionistar/shared';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { eventually } from '@fashionistar/shared/testing';
import {
  AUTH_FIELDS,
  codes,
  identityFromToken,
  lastMessage,
  registerUser,
  startTestIdentity,
  type Auth,
  type TestIdentity,
} from './helpers';

/** The repository root, where the CLIs run (npm scripts run there). */
const ROOT = join(__dirname, '..', '..', '..');

const LOGIN = `mutation($i: LoginInput!) { login(input: $i) { ${AUTH_FIELDS} } }`;
const tokenIn = (body: string) => /token=([A-Za-z0-9_-]+)/.exec(body)?.[1] ?? '';

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

describe('identity: create-admin CLI', () => {
  let t: TestIdentity;
  before(async () => {
    t = await startTestIdentity();
  });
  after(() => t.stop());

  /** Runs the CLI as operators do, against the test database (no Redis: the event path must do). */
  const cli = (...args: string[]): Promise<CliResult> =>
    new Promise((resolve) => {
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        TSX_TSCONFIG_PATH: 'tsconfig.base.json',
        DATABASE_URL: t.databaseUrl,
        NODE_ENV: 'test',
      };
      delete env.REDIS_URL;
      execFile(
        process.execPath,
        ['--import', 'tsx', 'subgraphs/identity/src/cli/create-admin.ts', ...args],
        { cwd: ROOT, env },
        (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
    });

  const roles = async (email: string) =>
    (await t.sql<{ roles: string[] }>(`SELECT roles FROM app_user WHERE email = $1`, [email]))[0]?.roles ?? null;

  it('creates a new admin account that can sign in', async () => {
    const r = await cli('--email', 'Ops.Lead@Example.com', '--password', 'Adm1n-Passw0rd', '--first', 'Ada');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /created admin ops\.lead@example\.com/);
    const admin = (await t.ok<{ login: Auth }>(LOGIN, { i: { email: 'ops.lead@example.com', password: 'Adm1n-Passw0rd' } })).login;
    assert.deepEqual(admin.user.roles, ['ADMIN']);
  });

  it('refuses an existing account without --grant, and an unverified one with it', async () => {
    const u = await registerUser(t); // e-mail not verified
    const plain = await cli('--email', u.email, '--password', 'Adm1n-Passw0rd');
    assert.notEqual(plain.code, 0);
    assert.match(plain.stderr, /already exists.*--grant/s);
    const unverified = await cli('--email', u.email, '--grant');
    assert.notEqual(unverified.code, 0);
    assert.match(unverified.stderr, /not verified/);
    assert.deepEqual(await roles(u.email), ['CUSTOMER']);
    assert.equal(
      (await t.call(`mutation($t: String!) { refresh(refreshToken: $t) { accessToken } }`, { t: u.refreshToken })).errors,
      undefined,
      'sessions untouched',
    );
  });

  it('grants ADMIN to a verified account with --grant and ends all its sessions', async () => {
    const u = await registerUser(t);
    await t.ok(`mutation($t: String!) { verifyEmail(token: $t) }`, { t: tokenIn((await lastMessage(t, u.email))!.body) });
    const other = (await t.ok<{ login: Auth }>(LOGIN, { i: { email: u.email, password: 'Str0ng-Passw0rd' } })).login;
    const r = await cli('--email', u.email.toUpperCase(), '--grant');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /granted ADMIN .* 2 session\(s\) ended/);
    assert.deepEqual(await roles(u.email), ['CUSTOMER', 'ADMIN']);
    for (const token of [u.refreshToken, other.refreshToken]) {
      assert.deepEqual(codes(await t.call(`mutation($t: String!) { refresh(refreshToken: $t) { accessToken } }`, { t: token })), [
        'UNAUTHENTICATED',
      ]);
    }
    // The CLI had no Redis: the revocation event written with the grant reaches the router's list.
    for (const a of [u, other]) {
      const sid = identityFromToken(a.accessToken).sessionId;
      assert.equal(await eventually(() => t.infra.kv.get(revokedSessionKey(sid)), 8000), 'ROLE_GRANTED');
    }
    const admin = (await t.ok<{ login: Auth }>(LOGIN, { i: { email: u.email, password: 'Str0ng-Passw0rd' } })).login;
    assert.deepEqual(admin.user.roles, ['CUSTOMER', 'ADMIN']);
  });
});
