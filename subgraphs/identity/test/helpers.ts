import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, type Identity, type Infra, type MessageProviders, type Role } from '@fashionistar/shared';
import { dataOf, callSubgraph, createTestDatabase, createTestInfra } from '@fashionistar/shared/src/testing';
import { loadIdentityConfig } from '../src/config';
import { startIdentity, type RunningIdentity } from '../src/server';

export const PASSWORD = 'Passw0rd!';

export interface CallOptions {
  token?: string;
  ip?: string;
  userAgent?: string;
  /** Send the identity header as given instead of deriving it from `token`. */
  identity?: Identity;
}

export interface GqlResult<T = Record<string, unknown>> {
  status: number;
  data?: T | null;
  errors?: Array<{ message: string; extensions?: { code?: string; field?: string; [k: string]: unknown } }>;
  sqlStatements: number;
}

export interface TestIdentity {
  server: RunningIdentity;
  infra: Infra;
  /** URL of the test database (for CLIs run against it). */
  databaseUrl: string;
  call<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, o?: CallOptions): Promise<GqlResult<T>>;
  /** Data of a call that must succeed. */
  ok<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, o?: CallOptions): Promise<T>;
  sql<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  stop(): Promise<void>;
}

/** The identity the router would forward for an access token (claims read, not verified). */
export function identityFromToken(token: string): Identity {
  const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as { sub: string; sid: string; roles: Role[] };
  return { userId: claims.sub, sessionId: claims.sid, roles: claims.roles };
}

/**
 * The identity subgraph on a fresh database and Redis prefix, called over HTTP the way the
 * router calls it (router secret, forwarded identity and client IP).
 */
export async function startTestIdentity(env: Record<string, string> = {}, providers: MessageProviders = {}): Promise<TestIdentity> {
  const db = await createTestDatabase();
  const infra = createTestInfra('redis');
  const keysDir = mkdtempSync(join(tmpdir(), 'fsg-keys-'));
  const config = loadIdentityConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', JWT_KEYS_DIR: keysDir, AUTH_ATTEMPTS_PER_IP: '1000', ...env });
  const server = await startIdentity({
    config,
    databaseUrl: db.url,
    infra,
    log: createLogger('identity-test', 'silent'),
    providers,
    port: 0,
  });
  const call: TestIdentity['call'] = (query, variables = {}, o = {}) =>
    callSubgraph(server.url, config.ROUTER_SECRET, query, variables, {
      identity: o.identity ?? (o.token ? identityFromToken(o.token) : undefined),
      ip: o.ip ?? '10.0.0.1',
      userAgent: o.userAgent,
    });
  return {
    server,
    infra,
    databaseUrl: db.url,
    call,
    ok: async (query, variables, o) => dataOf(await call(query, variables, o)),
    sql: (text, params) => server.dataSource.query(text, params),
    stop: async () => {
      await server.stop();
      await infra.close();
      await db.drop();
      rmSync(keysDir, { recursive: true, force: true });
    },
  };
}

/** The codes of a result's errors. */
export const codes = (r: GqlResult): string[] => (r.errors ?? []).map((e) => String(e.extensions?.code));

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
