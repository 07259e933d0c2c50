/**
 * The router's per-IP and per-user request limits (RATE_LIMIT_PER_IP_PER_MINUTE,
 * RATE_LIMIT_PER_USER_PER_MINUTE): past either, a GraphQL request answers HTTP 429 with
 * Retry-After and RATE_LIMITED with `retryAfterSeconds`; /health is never counted; WebSocket
 * connection_init and subscribe messages count too. Counted in the stack's Redis, shared by every
 * router of the stack, so each test uses its own client addresses (TRUST_PROXY + X-Forwarded-For).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { SEED_PASSWORD } from '@fashionistar/shared';
import { LoginDocument } from '../src/__generated__/graphql';
import { startStack, type Stack } from '../src/stack';
import type { RunningRouter } from '@fashionistar/router/src/router';

interface Answer {
  status: number;
  retryAfter: string | null;
  body: { data?: Record<string, unknown> | null; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };
}

let nextIp = 1;
/** A fresh documentation address (TEST-NET-3) per call, so tests never share a counter. */
const freshIp = () => `203.0.113.${nextIp++}`;

async function post(router: RunningRouter, ip: string, query: string, token?: string, variables?: object): Promise<Answer> {
  const res = await fetch(router.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': ip, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as Answer['body'] };
}

const code = (a: Answer) => a.body.errors?.[0]?.extensions?.code;

describe('router rate limits', () => {
  let s: Stack;
  before(async () => {
    s = await startStack({}, {}, { SEED_SCALE: '20' });
  });
  after(() => s.stop());

  it('refuses the request past the per-IP limit with 429, Retry-After and RATE_LIMITED; other addresses and /health go on', async () => {
    const router = await s.extraRouter({ TRUST_PROXY: '1', RATE_LIMIT_PER_IP_PER_MINUTE: '5', RATE_LIMIT_PER_USER_PER_MINUTE: '0' });
    const ip = freshIp();
    for (let i = 0; i < 5; i++) {
      const ok = await post(router, ip, '{ __typename }');
      assert.equal(ok.status, 200, `request ${i + 1} is within the limit`);
    }
    const refused = await post(router, ip, '{ __typename }');
    assert.equal(refused.status, 429);
    assert.equal(code(refused), 'RATE_LIMITED');
    const retry = refused.body.errors![0]!.extensions!.retryAfterSeconds as number;
    assert.ok(Number.isInteger(retry) && retry >= 1 && retry <= 60, `retryAfterSeconds ${retry}`);
    assert.equal(refused.retryAfter, String(retry));
    assert.equal(refused.body.errors![0]!.extensions!.limit, 'ip');
    assert.equal(refused.body.data, undefined, 'nothing ran');

    // Another address has its own budget; /health is not GraphQL and is never counted.
    assert.equal((await post(router, freshIp(), '{ __typename }')).status, 200);
    const health = await fetch(router.url.replace(/\/graphql$/, '/health'), { headers: { 'x-forwarded-for': ip } });
    assert.equal(health.status, 200);
    // Unknown paths (a future /webhooks/paystack) are not GraphQL either: 404, not 429.
    const webhook = await fetch(router.url.replace(/\/graphql$/, '/webhooks/paystack'), {
      method: 'POST',
      headers: { 'x-forwarded-for': ip },
    });
    assert.equal(webhook.status, 404);
  });

  it('refuses a signed-in user past the per-user limit from any address, while anonymous requests from there go on', async () => {
    const router = await s.extraRouter({ TRUST_PROXY: '1', RATE_LIMIT_PER_IP_PER_MINUTE: '100', RATE_LIMIT_PER_USER_PER_MINUTE: '3' });
    const { print } = await import('graphql');
    const login = await post(router, freshIp(), print(LoginDocument), undefined, {
      input: { email: 'customer2@fashionistar.test', password: SEED_PASSWORD },
    });
    const token = (login.body.data as { login: { accessToken: string } }).login.accessToken;
    // Three requests of the account, each from another address: all in.
    for (let i = 0; i < 3; i++) assert.equal((await post(router, freshIp(), '{ me { id } }', token)).status, 200);
    const ip = freshIp();
    const refused = await post(router, ip, '{ me { id } }', token);
    assert.equal(refused.status, 429);
    assert.equal(code(refused), 'RATE_LIMITED');
    assert.equal(refused.body.errors![0]!.extensions!.limit, 'user');
    assert.ok(Number(refused.retryAfter) >= 1);
    // The address itself is not limited: the same place without the token still works.
    assert.equal((await post(router, ip, '{ __typename }')).status, 200);
  });

  it('counts WebSocket connection_init and subscribe messages per IP', async () => {
    const router = await s.extraRouter({ TRUST_PROXY: '1', RATE_LIMIT_PER_IP_PER_MINUTE: '3', RATE_LIMIT_PER_USER_PER_MINUTE: '0' });
    const ip = freshIp();
    const wsUrl = router.url.replace(/^http/, 'ws');
    class ForwardedWebSocket extends WebSocket {
      constructor(address: string, protocols?: string | string[]) {
        super(address, protocols, { headers: { 'x-forwarded-for': ip } });
      }
    }
    const client = createClient({ url: wsUrl, webSocketImpl: ForwardedWebSocket, retryAttempts: 0, lazy: false });
    const run = (query: string) =>
      new Promise<{ data?: unknown; errors?: unknown } | { failed: Array<{ extensions?: Record<string, unknown> }> }>((resolve) => {
        let result: { data?: unknown; errors?: unknown } = {};
        client.subscribe(
          { query },
          {
            next: (v) => (result = v as typeof result),
            error: (e) => resolve({ failed: e as Array<{ extensions?: Record<string, unknown> }> }),
            complete: () => resolve(result),
          },
        );
      });
    // connection_init (1), then two operations (2, 3) are within the limit; the third is refused.
    assert.deepEqual(await run('{ __typename }'), { data: { __typename: 'Query' } });
    assert.deepEqual(await run('{ __typename }'), { data: { __typename: 'Query' } });
    const refused = await run('{ __typename }');
    assert.ok('failed' in refused && Array.isArray(refused.failed), 'refused with errors');
    assert.equal(refused.failed[0]!.extensions!.code, 'RATE_LIMITED');
    assert.ok(Number(refused.failed[0]!.extensions!.retryAfterSeconds) >= 1);
    await client.dispose();

    // A new connection from that address is closed at connection_init with 4429.
    const closed = await new Promise<number>((resolve) => {
      const raw = new WebSocket(wsUrl, 'graphql-transport-ws', { headers: { 'x-forwarded-for': ip } });
      raw.on('open', () => raw.send(JSON.stringify({ type: 'connection_init' })));
      raw.on('close', (c) => resolve(c));
    });
    assert.equal(closed, 4429);
  });

  it('lets the contract checks through at the defaults: 300 requests in a minute from one address', async () => {
    const router = await s.extraRouter({ TRUST_PROXY: '1' });
    const ip = freshIp();
    const statuses: number[] = [];
    for (let batch = 0; batch < 10; batch++) {
      const answers = await Promise.all(Array.from({ length: 30 }, () => post(router, ip, '{ __typename }')));
      statuses.push(...answers.map((a) => a.status));
    }
    assert.equal(statuses.length, 300);
    assert.ok(
      statuses.every((st) => st === 200),
      `all 200, got ${statuses.filter((st) => st !== 200).length} refused`,
    );
  });
});
