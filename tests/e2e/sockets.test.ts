/**
 * The router's WebSocket connections: a signed-in socket stays signed in only while its token
 * does (logout, revocation, expiry close it with 4403), stopping a subscription releases the
 * subgraph subscription behind it at once, and the client IP honours TRUST_PROXY like HTTP does.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { Redis } from 'ioredis';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { TEST_REDIS_URL } from '@fashionistar/shared/testing';
import { seedUserId } from '@fashionistar/identity/src/seed/seed';
import { LoginDocument, LogoutDocument, RegisterDocument } from '../src/__generated__/graphql';
import { startStack, type Stack } from '../src/stack';

const PASSWORD = 'Passw0rd!';

interface Result {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
}

interface Closed {
  code: number;
  reason: string;
  at: number;
}

/** One graphql-ws connection to a router, opened right away (not lazily) so it is reused. */
interface Socket {
  client: Client;
  /** Resolves once acknowledged. */
  connected: Promise<void>;
  /** Resolves when the socket closes, with its close code. */
  closed: Promise<Closed>;
  /** The close, once it happened. */
  closedNow(): Closed | undefined;
  /** How many sockets the client opened (1 = every operation ran on the same socket). */
  connections(): number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves with 'timeout' when `p` has not settled within `ms`. */
const within = <T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> => Promise.race([p, sleep(ms).then(() => 'timeout' as const)]);

async function waitFor(fn: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(10);
  }
}

/** The result of a query / mutation, or the error (e.g. a CloseEvent) that ended it. */
function once(client: Client, query: string, variables?: Record<string, unknown>): Promise<Result> {
  return new Promise((resolve, reject) => {
    let result: Result = {};
    client.subscribe({ query, variables }, { next: (v) => (result = v as Result), error: reject, complete: () => resolve(result) });
  });
}

/** A running subscription's events and a way to stop it (sends graphql-ws Complete). */
function collect(client: Client, query: string) {
  const events: Result[] = [];
  const stop = client.subscribe(
    { query },
    { next: (v) => void events.push(v as Result), error: () => undefined, complete: () => undefined },
  );
  return { events, stop };
}

describe('router WebSocket connections', () => {
  let s: Stack;
  const sockets: Socket[] = [];
  /** Upgraded (WebSocket) connections the identity subgraph holds open right now. */
  let identitySockets = 0;

  before(async () => {
    s = await startStack();
    // The router opens one WebSocket to identity per subscription; count them from identity's side.
    s.identity.httpServer.on('upgrade', (_req, socket) => {
      identitySockets++;
      socket.once('close', () => identitySockets--);
    });
  });
  after(async () => {
    for (const socket of sockets) await socket.client.dispose();
    await s.stop();
  });

  const open = (url: string, token?: string, headers: Record<string, string> = {}): Socket => {
    let closed: Closed | undefined;
    let connections = 0;
    let onConnected: () => void = () => undefined;
    let onClosed: (c: Closed) => void = () => undefined;
    const connected = new Promise<void>((r) => (onConnected = r));
    const closedPromise = new Promise<Closed>((r) => (onClosed = r));
    class WithHeaders extends WebSocket {
      constructor(address: string, protocols?: string | string[]) {
        super(address, protocols, { headers });
      }
    }
    const client = createClient({
      url: url.replace('http', 'ws'),
      webSocketImpl: WithHeaders,
      connectionParams: token ? { authorization: `Bearer ${token}` } : {},
      lazy: false,
      retryAttempts: 0,
      onNonLazyError: () => undefined,
      on: {
        opened: () => void connections++,
        connected: () => onConnected(),
        closed: (event) => {
          const e = event as { code: number; reason: string };
          closed = { code: e.code, reason: String(e.reason), at: Date.now() };
          onClosed(closed);
        },
      },
    });
    const socket: Socket = { client, connected, closed: closedPromise, closedNow: () => closed, connections: () => connections };
    sockets.push(socket);
    return socket;
  };

  const login = async (email: string, headers?: Record<string, string>) => {
    const r = await s.gql(LoginDocument, { input: { email, password: PASSWORD } }, undefined, headers);
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    return r.data!.login;
  };

  describe('signed-in sockets follow their token', () => {
    it('refuses the next operation on the same socket after an HTTP logout, closing it with 4403', async () => {
      const a = await login('customer1@fashionistar.test');
      const socket = open(s.router.url, a.accessToken);
      await socket.connected;
      const me = await once(socket.client, '{ me { email } }');
      assert.deepEqual(me.data, { me: { email: 'customer1@fashionistar.test' } });

      const out = await s.gql(LogoutDocument, {}, a.accessToken);
      assert.equal(out.data?.logout, true);

      const refused = await once(socket.client, '{ me { email } }').then(
        (r) => r,
        (e: unknown) => e,
      );
      assert.equal((refused as { code?: number }).code, 4403, `answered ${JSON.stringify(refused)}`);
      const closed = await within(socket.closed, 1000);
      assert.notEqual(closed, 'timeout');
      assert.equal((closed as Closed).code, 4403);
      assert.equal((closed as Closed).reason, 'Forbidden: SESSION_ENDED');
      assert.equal(socket.connections(), 1, 'both operations went over the same socket');
    });

    it('closes the socket with 4403 when its token expires, not before', async () => {
      const key = s.identity.deps.keys.current;
      const exp = Math.floor(Date.now() / 1000) + 3;
      const token = jwt.sign({ roles: ['CUSTOMER'], sid: randomUUID(), exp }, key.privateKey, {
        algorithm: 'ES256',
        keyid: key.kid,
        subject: seedUserId('customer2@fashionistar.test'),
        issuer: 'fashionistar-identity',
        audience: 'fashionistar',
      });
      const socket = open(s.router.url, token);
      await socket.connected;
      const me = await once(socket.client, '{ me { email } }');
      assert.deepEqual(me.data, { me: { email: 'customer2@fashionistar.test' } });

      const closed = await within(socket.closed, exp * 1000 - Date.now() + 1500);
      assert.notEqual(closed, 'timeout', 'the socket outlived its token');
      const { code, reason, at } = closed as Closed;
      assert.equal(code, 4403);
      assert.equal(reason, 'Forbidden: TOKEN_EXPIRED');
      assert.ok(at >= exp * 1000 - 20, `closed ${exp * 1000 - at} ms before the token expired`);
      assert.ok(at <= exp * 1000 + 1000, `closed ${at - exp * 1000} ms after the token expired`);
    });

    it('ends a live subscription within seconds of a logout, and leaves other sessions alone', async () => {
      const a = await login('customer3@fashionistar.test');
      const b = await login('customer3@fashionistar.test');
      const socketA = open(s.router.url, a.accessToken);
      const socketB = open(s.router.url, b.accessToken);
      await Promise.all([socketA.connected, socketB.connected]);
      // Subscriptions that never send another operation over their socket.
      const subA = collect(socketA.client, 'subscription { sessionRevoked { reason } }');
      const subB = collect(socketB.client, 'subscription { sessionRevoked { reason } }');
      await sleep(300); // let the subgraph subscriptions start

      const loggedOutAt = Date.now();
      assert.equal((await s.gql(LogoutDocument, {}, a.accessToken)).data?.logout, true);
      const closed = await within(socketA.closed, 6500);
      assert.notEqual(closed, 'timeout', 'the signed-out socket was still open 6.5 s after the logout');
      assert.equal((closed as Closed).code, 4403);
      assert.equal((closed as Closed).reason, 'Forbidden: SESSION_ENDED');
      assert.ok((closed as Closed).at - loggedOutAt < 6500);
      // The revocation event itself was delivered before the socket closed.
      assert.deepEqual(
        subA.events.map((e) => e.data),
        [{ sessionRevoked: { reason: 'LOGOUT' } }],
      );

      assert.equal(socketB.closedNow(), undefined, "the other session's socket stays open");
      const me = await once(socketB.client, '{ me { email } }');
      assert.deepEqual(me.data, { me: { email: 'customer3@fashionistar.test' } });
      assert.deepEqual(subB.events, []);
      subB.stop();
    });

    it('keeps anonymous sockets working', async () => {
      const socket = open(s.router.url);
      await socket.connected;
      assert.deepEqual((await once(socket.client, '{ __typename }')).data, { __typename: 'Query' });
      assert.equal((await once(socket.client, '{ me { email } }')).errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
      assert.equal(socket.closedNow(), undefined);
    });
  });

  describe('stopping a subscription', () => {
    const register = async () => {
      const email = `sockets_${randomUUID()}@example.com`;
      const r = await s.gql(RegisterDocument, { input: { email, password: 'Str0ng-Passw0rd', firstName: 'Sock', lastName: 'Et' } });
      assert.equal(r.errors, undefined, JSON.stringify(r.errors));
      return r.data!.register;
    };

    it('closes the router → subgraph WebSocket at once', async () => {
      const a = await login('customer4@fashionistar.test');
      const socket = open(s.router.url, a.accessToken);
      await socket.connected;
      await waitFor(() => identitySockets === 0, 2000, 'earlier subgraph sockets to close');

      const sub = collect(socket.client, 'subscription { sessionRevoked { reason } }');
      await waitFor(() => identitySockets === 1, 2000, 'the router to open its subgraph socket');
      await sleep(200); // the subgraph subscription is running
      sub.stop(); // graphql-ws Complete; the client socket stays open (not lazy)
      await waitFor(() => identitySockets === 0, 1000, 'the router to close its subgraph socket');

      assert.equal(socket.closedNow(), undefined);
      assert.deepEqual((await once(socket.client, '{ me { email } }')).data, { me: { email: 'customer4@fashionistar.test' } });
      assert.deepEqual(sub.events, []);
    });

    it('closes the subgraph sockets of every subscription when the client goes away', async () => {
      const a = await login('customer5@fashionistar.test');
      const socket = open(s.router.url, a.accessToken);
      await socket.connected;
      await waitFor(() => identitySockets === 0, 2000, 'earlier subgraph sockets to close');
      collect(socket.client, 'subscription { sessionRevoked { reason } }');
      collect(socket.client, 'subscription { sessionRevoked { at } }');
      await waitFor(() => identitySockets === 2, 2000, 'the router to open its subgraph sockets');
      await sleep(200);
      await socket.client.dispose();
      await waitFor(() => identitySockets === 0, 1000, 'the router to close its subgraph sockets');
    });

    it("releases identity's pub/sub subscription at once", async () => {
      const user = await register();
      const socket = open(s.router.url, user.accessToken);
      await socket.connected;
      const redis = new Redis(TEST_REDIS_URL);
      try {
        // Redis channels of this (fresh, so unique) user's revocation topic, across all test stacks.
        const channels = async () => (await redis.pubsub('CHANNELS', `*identity.session-revoked.${user.user.id}`)) as string[];
        const sub = collect(socket.client, 'subscription { sessionRevoked { reason } }');
        const end = Date.now() + 2000;
        while ((await channels()).length === 0 && Date.now() < end) await sleep(20);
        assert.equal((await channels()).length, 1, 'identity subscribed');
        sub.stop();
        const stopped = Date.now();
        while ((await channels()).length > 0 && Date.now() - stopped < 1000) await sleep(20);
        assert.deepEqual(await channels(), [], 'identity still subscribed 1 s after the subscription stopped');
      } finally {
        redis.disconnect();
      }
    });
  });

  describe('client IP', () => {
    const SESSIONS = '{ mySessions { current ipAddress } }';
    const currentIp = async (token: string) => {
      const r = await s.gql<{ mySessions: Array<{ current: boolean; ipAddress: string | null }> }, Record<string, never>>(
        SESSIONS,
        {},
        token,
      );
      assert.equal(r.errors, undefined, JSON.stringify(r.errors));
      return r.data!.mySessions.find((x) => x.current)?.ipAddress;
    };
    const loginOverSocket = async (url: string, headers: Record<string, string>) => {
      const socket = open(url, undefined, headers);
      const r = await once(socket.client, 'mutation($input: LoginInput!) { login(input: $input) { accessToken } }', {
        input: { email: 'customer2@fashionistar.test', password: PASSWORD },
      });
      assert.equal(r.errors, undefined, JSON.stringify(r.errors));
      await socket.client.dispose();
      return (r.data as { login: { accessToken: string } }).login.accessToken;
    };

    it('behind a trusted proxy, takes the right-most X-Forwarded-For entry over HTTP and WebSocket', async () => {
      const trusting = await s.extraRouter({ TRUST_PROXY: 'true' });
      const xff = { 'x-forwarded-for': '6.6.6.6, 203.0.113.7' };
      const overHttp = await fetch(trusting.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...xff },
        body: JSON.stringify({
          query: 'mutation($input: LoginInput!) { login(input: $input) { accessToken } }',
          variables: { input: { email: 'customer2@fashionistar.test', password: PASSWORD } },
        }),
      });
      const body = (await overHttp.json()) as { data: { login: { accessToken: string } } };
      assert.equal(await currentIp(body.data.login.accessToken), '203.0.113.7');
      assert.equal(await currentIp(await loginOverSocket(trusting.url, { 'x-forwarded-for': '6.6.6.6, 198.51.100.9' })), '198.51.100.9');
    });

    it('without TRUST_PROXY, ignores X-Forwarded-For over HTTP and WebSocket', async () => {
      const overHttp = await login('customer2@fashionistar.test', { 'x-forwarded-for': '6.6.6.6' });
      assert.equal(await currentIp(overHttp.accessToken), '127.0.0.1');
      assert.equal(await currentIp(await loginOverSocket(s.router.url, { 'x-forwarded-for': '6.6.6.6' })), '127.0.0.1');
    });
  });
});
