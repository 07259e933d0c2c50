import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import {
  createLogger,
  readSdl,
  readSubgraphConfig,
  revokedSessionKey,
  startSubgraphServer,
  type RunningServer,
} from '@fashionistar/shared';
import { composeSupergraph } from '../../schema/compose';
import { LoginDocument, LogoutDocument } from '../src/__generated__/graphql';
import { startStack, type Stack } from '../src/stack';

interface Next {
  data?: { sessionRevoked?: { reason: string; sessionId: string; user: Record<string, unknown> } } | null;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
}

/** Collects the events of one subscription. */
function collect(client: Client, query: string) {
  const events: Next[] = [];
  let done: (e?: unknown) => void = () => undefined;
  const finished = new Promise<unknown>((resolve) => (done = resolve));
  const stop = client.subscribe({ query }, { next: (v) => void events.push(v as Next), error: (e) => done(e), complete: () => done() });
  return { events, finished, stop };
}

async function waitFor<T>(fn: () => T | undefined | Promise<T | undefined>, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('subscriptions through the router', () => {
  let s: Stack;
  let probe: RunningServer;
  let probeRouterUrl: string;
  const clients: Client[] = [];

  before(async () => {
    s = await startStack();
    // A second subgraph that contributes a field to User, so events need an entity fetch.
    const probeSdl = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
      type User @key(fields: "id") { id: ID! "test field" probe: String }
      type Query { probeHealth: Boolean }`;
    probe = await startSubgraphServer({
      name: 'probe',
      port: 0,
      schema: buildSubgraphSchema({
        typeDefs: parse(probeSdl),
        resolvers: { User: { __resolveReference: (ref: { id: string }) => ({ id: ref.id, probe: `probe:${ref.id}` }) } } as never,
      }),
      routerSecret: s.identity.deps.config.ROUTER_SECRET,
      production: false,
      log: createLogger('probe', 'silent'),
      infra: s.infra,
      dataSource: s.identity.dataSource,
      buildContext: (base) => base,
    });
    const dir = mkdtempSync(join(tmpdir(), 'fsg-supergraph-'));
    const identity = readSubgraphConfig().find((c) => c.name === 'identity')!;
    const composed = composeSupergraphWith([
      { name: 'identity', url: s.identity.url, sdl: readSdl(identity) },
      { name: 'probe', url: probe.url, sdl: probeSdl },
    ]);
    writeFileSync(join(dir, 'supergraph.graphql'), composed);
    const router = await s.extraRouter(
      { SUPERGRAPH_PATH: join(dir, 'supergraph.graphql') },
      { identity: s.identity.url, probe: probe.url },
    );
    probeRouterUrl = router.url;
  });
  after(async () => {
    for (const c of clients) await c.dispose();
    await probe.stop();
    await s.stop();
  });

  const connect = (url: string, token?: string) => {
    const c = createClient({
      url: url.replace('http', 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: token ? { authorization: `Bearer ${token}` } : {},
      retryAttempts: 0,
    });
    clients.push(c);
    return c;
  };
  const login = async (email: string) => (await s.gql(LoginDocument, { input: { email, password: 'Passw0rd!' } })).data!.login;

  it('tells a device its session ended, with subgraph fields resolved on the event', async () => {
    const a = await login('customer4@fashionistar.test');
    const sub = collect(connect(s.router.url, a.accessToken), `subscription { sessionRevoked { reason sessionId user { id email } } }`);
    await new Promise((r) => setTimeout(r, 300)); // let the subgraph subscription start
    const out = await s.gql(LogoutDocument, {}, a.accessToken);
    assert.equal(out.data?.logout, true);
    const event = await waitFor(() => sub.events[0]);
    assert.equal(event.errors, undefined, JSON.stringify(event.errors));
    assert.equal(event.data!.sessionRevoked!.reason, 'LOGOUT');
    assert.deepEqual(event.data!.sessionRevoked!.user, { id: a.user.id, email: 'customer4@fashionistar.test' });
    sub.stop();
  });

  it('does not tell other sessions of the same user', async () => {
    const a = await login('customer5@fashionistar.test');
    const b = await login('customer5@fashionistar.test');
    const subA = collect(connect(s.router.url, a.accessToken), `subscription { sessionRevoked { reason sessionId } }`);
    const subB = collect(connect(s.router.url, b.accessToken), `subscription { sessionRevoked { reason sessionId } }`);
    await new Promise((r) => setTimeout(r, 300)); // let the subgraph subscriptions start
    const out = await s.gql(LogoutDocument, {}, a.accessToken);
    assert.equal(out.data?.logout, true);
    // The logout happened: A's own socket is told, and A's session reaches the revoked list.
    const revokedA = await waitFor(() => subA.events[0]);
    assert.equal(revokedA.data?.sessionRevoked?.reason, 'LOGOUT');
    const sessionA = revokedA.data!.sessionRevoked!.sessionId;
    await waitFor(async () => ((await s.infra.kv.get(revokedSessionKey(sessionA))) ? true : undefined));
    // Events reach a subscription in order, so when B's own logout arrives, an event about A
    // would already have been there: no sleep decides this.
    assert.equal((await s.gql(LogoutDocument, {}, b.accessToken)).data?.logout, true);
    await waitFor(() => subB.events[0]);
    assert.equal(subB.events.length, 1, JSON.stringify(subB.events));
    assert.equal(subB.events[0]!.data?.sessionRevoked?.reason, 'LOGOUT');
    assert.notEqual(subB.events[0]!.data?.sessionRevoked?.sessionId, sessionA, "B only hears of its own session's end");
    subA.stop();
    subB.stop();
  });

  it('runs the entity fetches of each event across subgraphs (planned primary + rest)', async () => {
    const a = await login('vendor2@fashionistar.test');
    const sub = collect(connect(probeRouterUrl, a.accessToken), `subscription { sessionRevoked { why: reason user { id probe } } }`);
    await new Promise((r) => setTimeout(r, 300));
    await s.gql(LogoutDocument, {}, a.accessToken);
    const event = await waitFor(() => sub.events[0]);
    assert.equal(event.errors, undefined, JSON.stringify(event.errors));
    assert.deepEqual(event.data, { sessionRevoked: { why: 'LOGOUT', user: { id: a.user.id, probe: `probe:${a.user.id}` } } });
    sub.stop();
  });

  it('answers UNAUTHENTICATED for an anonymous subscriber and refuses subscriptions over HTTP', async () => {
    const sub = collect(connect(s.router.url), `subscription { sessionRevoked { reason } }`);
    assert.equal(await sub.finished, undefined, 'completes normally');
    const codes = sub.events.flatMap((e) => e.errors ?? []).map((e) => e.extensions?.code);
    assert.deepEqual(codes, ['UNAUTHENTICATED']);
    const overHttp = await s.gql(`subscription { sessionRevoked { reason } }`);
    assert.equal(overHttp.status, 400);
    assert.deepEqual(
      overHttp.errors?.map((e) => e.extensions?.code),
      ['BAD_REQUEST'],
    );
  });

  it('validates subscription operations against the API schema and the limits', async () => {
    const sub = collect(connect(s.router.url), `subscription { sessionRevoked { nope } }`);
    const err = await sub.finished;
    const errors = (Array.isArray(err) ? err : sub.events.flatMap((e) => e.errors ?? [])) as Array<{ extensions?: { code?: string } }>;
    assert.equal(errors[0]?.extensions?.code, 'GRAPHQL_VALIDATION_FAILED');
  });
});

/** Composes a supergraph from SDL strings (with the probe subgraph next to identity). */
function composeSupergraphWith(subgraphs: Array<{ name: string; url: string; sdl: string }>): string {
  return composeSupergraph({}, undefined, subgraphs)['schema/supergraph.graphql']!;
}
