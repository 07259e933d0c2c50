import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MessageProviders, Role } from '@fashionistar/shared';
import { dataOf, startTestSubgraph, type CallerHeaders, type SubgraphAnswer, type TestSubgraph } from '@fashionistar/shared/testing';
import { subgraph } from '../src/server';

export { codes, identityFromToken } from '@fashionistar/shared/testing';

export const PASSWORD = 'Passw0rd!';

export type CallOptions = CallerHeaders;
export type GqlResult<T = Record<string, unknown>> = SubgraphAnswer<T>;
type Running = Awaited<ReturnType<typeof subgraph.start>>;
export type TestIdentity = TestSubgraph<Running['config'], Running['deps']>;

/**
 * The identity subgraph for a test (see startTestSubgraph) with signing keys of its own, a
 * generous per-IP limit, and calls from 10.0.0.1 unless told otherwise.
 */
export async function startTestIdentity(env: Record<string, string> = {}, providers: MessageProviders = {}): Promise<TestIdentity> {
  const keysDir = mkdtempSync(join(tmpdir(), 'fsg-keys-'));
  const t = await startTestSubgraph(subgraph, {
    env: { JWT_KEYS_DIR: keysDir, AUTH_ATTEMPTS_PER_IP: '1000', ...env },
    providers,
    cleanup: () => rmSync(keysDir, { recursive: true, force: true }),
  });
  const call: TestIdentity['call'] = (query, variables, as) =>
    t.call(query, variables, { ip: '10.0.0.1', ...(as && 'userId' in as ? { identity: as } : as) });
  return { ...t, call, ok: async (query, variables, as) => dataOf(await call(query, variables, as)) };
}

let counter = 0;
/** A unique e-mail and Nigerian mobile number for a test user. */
export function uniqueContact(): { email: string; phone: string } {
  counter++;
  const n = `${Date.now() % 1e5}${counter}`.padStart(7, '0').slice(-7);
  return { email: `user${counter}_${Date.now().toString(36)}@example.com`, phone: `+234803${n}` };
}

export const AUTH_FIELDS = 'accessToken refreshToken expiresIn user { id email phone roles emailVerified phoneVerified }';

export interface Auth {
  accessToken: string;
  refreshToken: string;
  user: { id: string; email: string | null; phone: string | null; roles: Role[] };
}

/** Registers a fresh customer and answers its tokens. */
export async function registerUser(
  t: TestIdentity,
  extra: Record<string, unknown> = {},
  o: CallOptions = {},
): Promise<Auth & { email: string; phone: string }> {
  const contact = uniqueContact();
  const input = { ...contact, password: 'Str0ng-Passw0rd', firstName: 'Ada', lastName: 'Obi', ...extra };
  const d = await t.ok<{ register: Auth }>(`mutation($input: RegisterInput!) { register(input: $input) { ${AUTH_FIELDS} } }`, { input }, o);
  return { ...d.register, email: contact.email, phone: contact.phone };
}

export async function loginAs(t: TestIdentity, email: string, password = PASSWORD, o: CallOptions = {}): Promise<Auth> {
  const d = await t.ok<{ login: Auth }>(
    `mutation($input: LoginInput!) { login(input: $input) { ${AUTH_FIELDS} } }`,
    { input: { email, password } },
    o,
  );
  return d.login;
}

/** Latest stored message to `to` (the outbox row is written in the same transaction). */
export async function lastMessage(t: TestIdentity, to: string): Promise<{ body: string; template: string; status: string } | undefined> {
  const rows = await t.sql<{ body: string; template: string; status: string }>(
    `SELECT body, template, status FROM outbound_message WHERE recipient = $1 ORDER BY created_at DESC LIMIT 1`,
    [to],
  );
  return rows[0];
}
