import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Redis } from 'ioredis';
import { createInfra } from './infra/index';
import type { Infra } from './infra/types';
import { FORWARD_HEADERS, encodeIdentity, type Identity, type Role } from './identity';
import type { DataSource, EntityManager } from 'typeorm';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { ApolloServerPlugin } from '@apollo/server';
import { parse } from 'graphql';
import { startSubgraphServer, type RunningServer } from './server/subgraph-server';
import type { BaseContext } from './context';
import { LoaderRegistry } from './loaders';
import { createLogger } from './logger';
import type { MessageProviders } from './messaging/providers';
import type { RunningSubgraph, SubgraphBaseConfig, SubgraphModule } from './server/define-subgraph';
import { provisionDatabase } from './db/provision';

/**
 * Helpers for tests that talk to the real Postgres and Redis of the machine (CI starts both).
 * Each test file gets a fresh database and its own Redis key prefix, so files can run in
 * parallel and leave nothing behind.
 */
export const TEST_PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** Creates an empty database named `fsg_test_<random>` and answers its URL. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `fsg_test_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_PG_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(TEST_PG_URL);
  url.pathname = `/${name}`;
  // The same admin step as npm start and compose's db-init (extensions schema, public closed), so
  // tests run the migrations exactly as production does; tests keep the one superuser role.
  await provisionDatabase(url.toString(), { schemas: [] });
  return {
    url: url.toString(),
    name,
    drop: async () => {
      const c = new pg.Client({ connectionString: TEST_PG_URL });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** A unique Redis key prefix for one test file. */
export const testPrefix = (): string => `fsgtest:${randomBytes(4).toString('hex')}:`;

/** Redis-backed infra under a unique prefix; `close()` also deletes every key it made. */
export function createTestInfra(kind: 'redis' | 'memory' = 'redis'): Infra {
  const prefix = testPrefix();
  const infra = createInfra({ redisUrl: kind === 'redis' ? TEST_REDIS_URL : undefined, prefix });
  const close = infra.close;
  return {
    ...infra,
    close: async () => {
      await close();
      if (kind === 'redis') await deleteRedisPrefix(prefix);
    },
  };
}

export async function deleteRedisPrefix(prefix: string): Promise<void> {
  const redis = new Redis(TEST_REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** Polls `fn` until it returns a truthy value or `timeoutMs` passes. */
export async function eventually<T>(fn: () => Promise<T | null | undefined | false>, timeoutMs = 5000, stepMs = 50): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

/** An answer of a subgraph as tests see it, with the statement count it reported. */
export interface SubgraphAnswer<T = Record<string, unknown>> {
  status: number;
  data?: T | null;
  errors?: Array<{ message: string; extensions?: { code?: string; field?: string; [k: string]: unknown } }>;
  /** From `x-sql-statements`; -1 when absent. */
  sqlStatements: number;
  /** The HTTP answer's headers. */
  headers?: Headers;
}

/** Who the call is from, as the router would forward it. */
export interface CallerHeaders {
  identity?: Identity | null;
  /** An access token: its claims are forwarded as the identity (read, not verified, as after the router). */
  token?: string;
  ip?: string;
  userAgent?: string;
  /** The refresh-token cookie value, as the router forwards it to identity. */
  refreshCookie?: string;
}

/** A caller: an identity, the headers the router would forward, or anonymous. */
export type Caller = Identity | CallerHeaders | null | undefined;

/** The identity the router would forward for an access token (claims read, not verified). */
export function identityFromToken(token: string): Identity {
  const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as { sub: string; sid: string; roles: Role[] };
  return { userId: claims.sub, sessionId: claims.sid, roles: claims.roles };
}

function callerHeaders(caller: Caller): CallerHeaders {
  if (!caller) return {};
  if ('userId' in caller) return { identity: caller };
  return caller.token && !caller.identity ? { ...caller, identity: identityFromToken(caller.token) } : caller;
}

/** POSTs a GraphQL operation to a subgraph the way the router does (secret, forwarded caller). */
export async function callSubgraph<T = Record<string, unknown>>(
  url: string,
  secret: string,
  query: string,
  variables: Record<string, unknown> = {},
  as: Caller = {},
): Promise<SubgraphAnswer<T>> {
  const caller = callerHeaders(as);
  const headers: Record<string, string> = { 'content-type': 'application/json', [FORWARD_HEADERS.secret]: secret };
  if (caller.identity) headers[FORWARD_HEADERS.identity] = encodeIdentity(caller.identity);
  if (caller.ip) headers[FORWARD_HEADERS.clientIp] = caller.ip;
  if (caller.userAgent) headers[FORWARD_HEADERS.userAgent] = caller.userAgent;
  if (caller.refreshCookie) headers[FORWARD_HEADERS.refreshCookie] = caller.refreshCookie;
  const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  const body = (await res.json()) as Omit<SubgraphAnswer<T>, 'status' | 'sqlStatements'>;
  return { ...body, status: res.status, sqlStatements: Number(res.headers.get('x-sql-statements') ?? -1), headers: res.headers };
}

/** The data of an answer that must have succeeded. */
export function dataOf<T>(answer: SubgraphAnswer<T>): T {
  if (answer.errors?.length || !answer.data) throw new Error(`expected data, got ${JSON.stringify(answer.errors ?? answer)}`);
  return answer.data;
}

/** A subgraph started for a test, called over HTTP the way the router calls it. */
export interface TestSubgraph<Cfg extends SubgraphBaseConfig = SubgraphBaseConfig, D = unknown> {
  server: RunningSubgraph<Cfg, D>;
  infra: Infra;
  /** URL of the test database (for CLIs run against it). */
  databaseUrl: string;
  /** Sends an operation as `as` (an identity, forwarded headers, or anonymous). */
  call<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, as?: Caller): Promise<SubgraphAnswer<T>>;
  /** The data of a call that must succeed. */
  ok<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, as?: Caller): Promise<T>;
  sql<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  stop(): Promise<void>;
}

export interface TestSubgraphOptions {
  /** Environment on top of `NODE_ENV=test LOG_LEVEL=silent`. */
  env?: Record<string, string>;
  /** Peer name → URL, read at call time (fill it after start for fakes on free ports). */
  peers?: Record<string, string>;
  providers?: MessageProviders;
  /** Runs after the subgraph and its database are gone (temporary files). */
  cleanup?: () => void | Promise<void>;
}

/**
 * Any subgraph on a fresh database and Redis prefix, on a free port, called over HTTP the way the
 * router calls it (router secret plus forwarded caller). stop() drops everything it made.
 */
export async function startTestSubgraph<Cfg extends SubgraphBaseConfig, D>(
  mod: SubgraphModule<Cfg, D>,
  o: TestSubgraphOptions = {},
): Promise<TestSubgraph<Cfg, D>> {
  const db = await createTestDatabase();
  const infra = createTestInfra('redis');
  let server: RunningSubgraph<Cfg, D>;
  try {
    server = await mod.start({
      databaseUrl: db.url,
      infra,
      log: createLogger(`${mod.name}-test`, 'silent'),
      providers: o.providers ?? {},
      env: { NODE_ENV: 'test', LOG_LEVEL: 'silent', ...o.env },
      peers: o.peers ?? {},
      port: 0,
    });
  } catch (error) {
    await infra.close();
    await db.drop();
    await o.cleanup?.();
    throw error;
  }
  const call: TestSubgraph['call'] = (query, variables = {}, as) =>
    callSubgraph(server.url, server.config.ROUTER_SECRET, query, variables, as);
  return {
    server,
    infra,
    databaseUrl: db.url,
    call,
    ok: async (query, variables, as) => dataOf(await call(query, variables, as)),
    sql: (text, params) => server.dataSource.query(text, params),
    stop: async () => {
      await server.stop();
      await infra.close();
      await db.drop();
      await o.cleanup?.();
    },
  };
}

/** The codes of an answer's errors. */
export const codes = (r: Pick<SubgraphAnswer, 'errors'>): string[] => (r.errors ?? []).map((e) => String(e.extensions?.code));

/** A request context for calling services and kernel helpers directly (no HTTP request behind it). */
export function testContext(o: { em: EntityManager; infra: Infra; identity?: Identity | null }): BaseContext {
  return {
    requestId: randomBytes(8).toString('hex'),
    log: createLogger('test', 'silent'),
    identity: o.identity ?? null,
    clientIp: null,
    userAgent: null,
    em: o.em,
    loaders: new LoaderRegistry(),
    infra: o.infra,
    afterCommit: [],
    responseHeaders: new Map(),
    refreshCookie: null,
  };
}

/**
 * A stand-in for another subgraph: the kernel's server (so the router secret is checked exactly
 * as every subgraph checks it) with a tiny schema whose resolvers answer from a test's fixtures.
 * `dataSource` only fills the context (fakes read no tables): pass the subgraph under test's, or
 * none (router tests: `ctx.em` is then unusable). `plugins` see the raw request and response
 * (e.g. to read a forwarded header or answer one, as identity does for the refresh cookie).
 */
export function startFakeSubgraph(o: {
  name: string;
  typeDefs: string;
  resolvers: Record<string, Record<string, (parent: unknown, args: never, ctx: BaseContext) => unknown>>;
  routerSecret: string;
  dataSource?: DataSource;
  plugins?: ApolloServerPlugin<BaseContext>[];
}): Promise<RunningServer> {
  return startSubgraphServer({
    name: `fake-${o.name}`,
    port: 0,
    schema: buildSubgraphSchema({ typeDefs: parse(o.typeDefs), resolvers: o.resolvers as never }),
    routerSecret: o.routerSecret,
    production: false,
    log: createLogger(`fake-${o.name}`, 'silent'),
    infra: createTestInfra('memory'),
    dataSource: o.dataSource ?? ({ manager: undefined } as unknown as DataSource),
    buildContext: (base) => base,
    plugins: o.plugins,
  });
}
