import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Redis } from 'ioredis';
import { createInfra } from './infra/index';
import type { Infra } from './infra/types';
import { FORWARD_HEADERS, encodeIdentity, type Identity } from './identity';
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
}

/** Who the call is from, as the router would forward it. */
export interface CallerHeaders {
  identity?: Identity | null;
  ip?: string;
  userAgent?: string;
}

/** POSTs a GraphQL operation to a subgraph the way the router does (secret, forwarded caller). */
export async function callSubgraph<T = Record<string, unknown>>(
  url: string,
  secret: string,
  query: string,
  variables: Record<string, unknown> = {},
  caller: CallerHeaders = {},
): Promise<SubgraphAnswer<T>> {
  const headers: Record<string, string> = { 'content-type': 'application/json', [FORWARD_HEADERS.secret]: secret };
  if (caller.identity) headers[FORWARD_HEADERS.identity] = encodeIdentity(caller.identity);
  if (caller.ip) headers[FORWARD_HEADERS.clientIp] = caller.ip;
  if (caller.userAgent) headers[FORWARD_HEADERS.userAgent] = caller.userAgent;
  const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  const body = (await res.json()) as Omit<SubgraphAnswer<T>, 'status' | 'sqlStatements'>;
  return { ...body, status: res.status, sqlStatements: Number(res.headers.get('x-sql-statements') ?? -1) };
}

/** The data of an answer that must have succeeded. */
export function dataOf<T>(answer: SubgraphAnswer<T>): T {
  if (answer.errors?.length || !answer.data) throw new Error(`expected data, got ${JSON.stringify(answer.errors ?? answer)}`);
  return answer.data;
}
