/**
 * startSubgraphServer over real HTTP and graphql-ws: the router secret gate, identity
 * forwarding, error masking in production, /health, bad bodies and a clean stop.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'graphql';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { DataSource } from 'typeorm';
import { setResponseHeader, type BaseContext } from '../src/context';
import { createDataSource } from '../src/db/data-source';
import { BadUserInputError } from '../src/errors';
import { FORWARD_HEADERS, encodeIdentity } from '../src/identity';
import type { Infra } from '../src/infra/types';
import { createLogger } from '../src/logger';
import { startSubgraphServer, type RunningServer } from '../src/server/subgraph-server';
import { createTestDatabase, createTestInfra, type TestDatabase } from '../src/testing';

const SECRET = 's3cret';
const TIMEOUT = { timeout: 10_000 };

interface GraphQLBody {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; path?: unknown[]; extensions?: Record<string, unknown> }>;
}

describe('subgraph server', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let infra: Infra;
  let server: RunningServer;
  let ready = true;
  let helloCalls = 0;
  const clients: Client[] = [];

  const schema = buildSubgraphSchema({
    typeDefs: parse(
      `type Query { hello: String, whoami: String, boom: String, bad: String, slow: String, cookie: String, cookieThenFail: String }`,
    ),
    resolvers: {
      Query: {
        hello: () => {
          helloCalls++;
          return 'world';
        },
        whoami: (_: unknown, __: unknown, ctx: unknown) => (ctx as BaseContext).identity?.userId ?? null,
        boom: () => {
          throw new Error('secret sql detail');
        },
        bad: () => {
          throw new BadUserInputError('x', 'field');
        },
        slow: () => new Promise((resolve) => setTimeout(() => resolve('done'), 400)),
        cookie: (_: unknown, __: unknown, ctx: unknown) => {
          setResponseHeader(ctx as BaseContext, 'X-Test-Answer', 'set');
          return (ctx as BaseContext).refreshCookie ?? null;
        },
        cookieThenFail: (_: unknown, __: unknown, ctx: unknown) => {
          setResponseHeader(ctx as BaseContext, 'x-test-answer', 'cleared');
          throw new BadUserInputError('x', 'field');
        },
      },
    },
  });

  /** POSTs a GraphQL request; answers the status, the raw text and the parsed body. */
  async function post(
    body: string,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; text: string; json: GraphQLBody; headers: Headers }> {
    const res = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    const text = await res.text();
    let json: GraphQLBody = {};
    try {
      json = JSON.parse(text) as GraphQLBody;
    } catch {
      // left empty; the caller asserts on text
    }
    return { status: res.status, text, json, headers: res.headers };
  }
  const query = (q: string, headers: Record<string, string> = {}) => post(JSON.stringify({ query: q }), headers);
  const withSecret = (extra: Record<string, string> = {}) => ({ [FORWARD_HEADERS.secret]: SECRET, ...extra });

  const wsClient = (connectionParams?: Record<string, unknown>): Client => {
    const client = createClient({
      url: server.url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams,
      retryAttempts: 0,
      lazy: true,
    });
    clients.push(client);
    return client;
  };
  /** Runs one operation over graphql-ws; answers the results or the error the client reported. */
  async function wsRun(client: Client, q: string): Promise<{ results: unknown[]; error?: unknown }> {
    const results: unknown[] = [];
    try {
      for await (const result of client.iterate({ query: q })) results.push(result);
      return { results };
    } catch (error) {
      return { results, error };
    }
  }

  before(async () => {
    db = await createTestDatabase();
    ds = createDataSource({ url: db.url, schema: 'sg_test', entities: [], migrations: [] });
    await ds.initialize();
    infra = createTestInfra('memory');
    server = await startSubgraphServer<BaseContext>({
      name: 'test',
      port: 0,
      schema,
      routerSecret: SECRET,
      production: true,
      log: createLogger('subgraph-test', 'silent'),
      infra,
      dataSource: ds,
      buildContext: (base) => base,
      isReady: () => ready,
    });
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.dispose()));
    await server?.stop();
    await infra?.close();
    if (ds?.isInitialized) await ds.destroy();
    await db?.drop();
  });

  it('writes the headers resolvers set (errors or not), and hands them the forwarded refresh cookie', TIMEOUT, async () => {
    const plain = await query('{ hello }', withSecret());
    assert.equal(plain.headers.get('x-test-answer'), null);
    const set = await query('{ cookie }', withSecret({ [FORWARD_HEADERS.refreshCookie]: 'rt-value' }));
    assert.deepEqual([set.json.data, set.headers.get('x-test-answer')], [{ cookie: 'rt-value' }, 'set']);
    const none = await query('{ cookie }', withSecret());
    assert.deepEqual(none.json.data, { cookie: null });
    const failed = await query('{ cookieThenFail }', withSecret());
    assert.equal(failed.json.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    assert.equal(failed.headers.get('x-test-answer'), 'cleared');
    // Without the secret nothing runs, the cookie header included.
    const refused = await query('{ cookie }', { [FORWARD_HEADERS.refreshCookie]: 'rt-value' });
    assert.deepEqual([refused.status, refused.headers.get('x-test-answer')], [401, null]);
  });

  it('answers 401 UNAUTHENTICATED without the router secret, and runs nothing', TIMEOUT, async () => {
    const callsBefore = helloCalls;
    const cases: Array<Record<string, string>> = [
      {},
      { [FORWARD_HEADERS.secret]: 'wrong!' },
      { [FORWARD_HEADERS.secret]: '' },
      { [FORWARD_HEADERS.secret]: `${SECRET}x` },
    ];
    for (const headers of cases) {
      const res = await query('{ hello }', headers);
      assert.equal(res.status, 401, JSON.stringify(headers));
      assert.equal(res.json.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
      assert.equal(res.json.data, undefined);
    }
    assert.equal(helloCalls, callsBefore, 'no resolver ran');
  });

  it('answers 200 with data given the secret', TIMEOUT, async () => {
    const res = await query('{ hello }', withSecret());
    assert.equal(res.status, 200);
    assert.deepEqual(res.json, { data: { hello: 'world' } });
    assert.equal(res.headers.get('x-sql-statements'), null, 'no SQL counts in production');
  });

  it('passes the forwarded identity to resolvers', TIMEOUT, async () => {
    const identity = encodeIdentity({ userId: 'user-42', roles: ['CUSTOMER'], sessionId: 'sess-1' });
    assert.deepEqual((await query('{ whoami }', withSecret({ [FORWARD_HEADERS.identity]: identity }))).json, {
      data: { whoami: 'user-42' },
    });
    assert.deepEqual((await query('{ whoami }', withSecret())).json, { data: { whoami: null } });
    assert.deepEqual((await query('{ whoami }', withSecret({ [FORWARD_HEADERS.identity]: 'garbage' }))).json, { data: { whoami: null } });
  });

  it('masks unexpected errors in production', TIMEOUT, async () => {
    const res = await query('{ boom hello }', withSecret());
    assert.equal(res.status, 200);
    assert.deepEqual(res.json.data, { boom: null, hello: 'world' });
    assert.deepEqual(res.json.errors, [
      {
        message: 'Internal server error',
        locations: [{ line: 1, column: 3 }],
        path: ['boom'],
        extensions: { code: 'INTERNAL_SERVER_ERROR' },
      },
    ]);
    assert.ok(!res.text.includes('secret sql detail'), res.text);
    assert.ok(!res.text.includes('stacktrace'), res.text);
  });

  it('passes BAD_USER_INPUT through with its field', TIMEOUT, async () => {
    const res = await query('{ bad }', withSecret());
    assert.deepEqual(
      res.json.errors?.map((e) => ({ message: e.message, path: e.path, extensions: e.extensions })),
      [{ message: 'x', path: ['bad'], extensions: { field: 'field', fields: [{ path: 'field', message: 'x' }], code: 'BAD_USER_INPUT' } }],
    );
    assert.ok(!res.text.includes('stacktrace'));
  });

  it('turns introspection off in production', TIMEOUT, async () => {
    const res = await query('{ __schema { queryType { name } } }', withSecret());
    assert.equal(res.json.data, undefined);
    assert.equal(res.json.errors?.[0]?.extensions?.code, 'GRAPHQL_VALIDATION_FAILED');
  });

  it('answers 400 to a malformed JSON body', TIMEOUT, async () => {
    const res = await post('{"query": "{ hello }"', withSecret());
    assert.equal(res.status, 400);
    assert.equal(res.json.errors?.[0]?.extensions?.code, 'BAD_REQUEST');
  });

  it('refuses NUL characters anywhere in a request with BAD_USER_INPUT, running nothing', TIMEOUT, async () => {
    const calls = helloCalls;
    for (const body of [
      { query: '{ hello }', variables: { deep: [{ name: 'a\u0000b' }] } },
      { query: '{ hello(x: "a\\u0000b") }' },
      { query: '{ hello }\u0000' },
    ]) {
      const res = await post(JSON.stringify(body), withSecret());
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(res.json.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    }
    const get = await fetch(`${server.url}?query=${encodeURIComponent('{ hello }')}&variables=${encodeURIComponent('{"a":"\\u0000"}')}`, {
      headers: { ...withSecret(), 'apollo-require-preflight': 'true' },
    });
    assert.equal(get.status, 400);
    assert.equal(helloCalls, calls, 'nothing ran');
    // An escaped backslash followed by "u0000" is plain text, and so is the same text in a variable.
    const plain = await post(JSON.stringify({ query: '{ hello }', variables: { note: 'see \\u0000 in the docs' } }), withSecret());
    assert.equal(plain.status, 200);
  });

  it('closes the connection after refusing an oversized body, so the next request is not poisoned', TIMEOUT, async () => {
    const huge = await post(JSON.stringify({ query: '{ hello }', variables: { pad: 'x'.repeat(1_100_000) } }), withSecret());
    assert.equal(huge.status, 413);
    assert.equal(huge.headers.get('connection'), 'close');
    const next = await query('{ hello }', withSecret());
    assert.deepEqual(next.json.data, { hello: 'world' });
  });

  it('answers /health with 200 when ready and 503 when not', TIMEOUT, async () => {
    const health = new URL('/health', server.url);
    ready = true;
    let res = await fetch(health);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { name: 'test', status: 'ok' });
    ready = false;
    try {
      res = await fetch(health);
      assert.equal(res.status, 503);
      assert.deepEqual(await res.json(), { name: 'test', status: 'starting' });
    } finally {
      ready = true;
    }
  });

  it('refuses a graphql-ws connection without the secret', TIMEOUT, async () => {
    const callsBefore = helloCalls;
    for (const params of [undefined, { routerSecret: 'wrong' }]) {
      const { results, error } = await wsRun(wsClient(params), '{ hello }');
      assert.deepEqual(results, []);
      assert.ok(error, 'the client reports the refusal');
      assert.equal((error as { code?: number }).code, 4403, String(error));
    }
    assert.equal(helloCalls, callsBefore);
  });

  it('runs operations over graphql-ws with the secret, with the forwarded identity', TIMEOUT, async () => {
    const identity = encodeIdentity({ userId: 'ws-user', roles: ['VENDOR'], sessionId: 's' });
    const client = wsClient({ routerSecret: SECRET, [FORWARD_HEADERS.identity]: identity });
    assert.deepEqual(await wsRun(client, '{ hello }'), { results: [{ data: { hello: 'world' } }] });
    assert.deepEqual(await wsRun(client, '{ whoami }'), { results: [{ data: { whoami: 'ws-user' } }] });
  });

  it('stops cleanly: drains a request in flight, closes sockets, then refuses connections', TIMEOUT, async () => {
    const { port } = server;
    // A request already running when stop() is called still gets its answer.
    const inFlight = post(JSON.stringify({ query: '{ slow }' }), { 'x-fsg-router-secret': SECRET });
    await new Promise((r) => setTimeout(r, 100));
    const socketClosed = new Promise<number>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/graphql`, 'graphql-transport-ws');
      ws.on('close', (code) => resolve(code));
    });
    await new Promise((r) => setTimeout(r, 50));
    const stopping = server.stop();
    const answer = await inFlight;
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.json, { data: { slow: 'done' } });
    await stopping;
    assert.ok((await socketClosed) > 0, 'open sockets are closed by stop()');
    await Promise.all(clients.map((c) => c.dispose()));
    await server.stop(); // idempotent
    await assert.rejects(fetch(`http://127.0.0.1:${port}/health`), (error: unknown) => {
      const cause = (error as { cause?: { code?: string } }).cause;
      assert.equal(cause?.code, 'ECONNREFUSED', String(error));
      return true;
    });
  });
});
