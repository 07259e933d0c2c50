import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createInfra, createLogger, repoRoot, type Infra } from '@fashionistar/shared';
import { testPrefix } from '@fashionistar/shared/testing';
import { loadRouterConfig } from '@fashionistar/router/src/config';
import { startRouter, type RunningRouter } from '@fashionistar/router/src/router';
import { startStack, type Stack } from '../src/stack';

/** A port nothing listens on right now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A redis-server of this test's own (never the shared one on 6379, which other files use). */
async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'pipe',
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => /Ready to accept connections/.test(d.toString()) && resolve());
    child.once('exit', (code) => reject(new Error(`redis-server exited ${code}`)));
  });
  return child;
}

describe('the router and its Redis', () => {
  let s: Stack;
  let redis: ChildProcess | undefined;
  let infra: Infra;
  let router: RunningRouter;
  const warnings: Array<Record<string, unknown>> = [];
  const infos: Array<Record<string, unknown>> = [];
  const supergraph = join(repoRoot(), 'schema/supergraph.graphql');
  let port: number;

  before(async () => {
    s = await startStack({}, {}, { SEED_SCALE: '20' });
    port = await freePort();
    redis = await startRedis(port);
    infra = createInfra({
      redisUrl: `redis://127.0.0.1:${port}`,
      prefix: testPrefix(),
      log: { warn: (d, m) => warnings.push({ ...d, m }), info: (d, m) => infos.push({ ...d, m }) },
    });
    router = await startRouter({
      config: loadRouterConfig({ NODE_ENV: 'test', SUPERGRAPH_PATH: supergraph, REDIS_TIMEOUT_MS: '500' }),
      infra,
      log: createLogger('redis-test', 'silent'),
      port: 0,
      urlOverrides: s.urls,
    });
  });
  after(async () => {
    await router.stop();
    redis?.kill('SIGKILL');
    await infra.close();
    await s.stop();
  });

  const health = async (url: string) => {
    const res = await fetch(url.replace(/\/graphql$/, '/health'));
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const login = async () => {
    const r = await s.gql<{ login: { accessToken: string } }, Record<string, unknown>>(
      `mutation($i: LoginInput!) { login(input: $i) { accessToken } }`,
      { i: { email: 'customer1@fashionistar.test', password: 'Passw0rd!' } },
    );
    return r.data!.login.accessToken;
  };
  const me = async (token: string) => {
    const started = Date.now();
    const res = await fetch(router.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: '{ me { id } }' }),
    });
    return {
      status: res.status,
      ms: Date.now() - started,
      body: (await res.json()) as { errors?: Array<{ extensions?: Record<string, unknown> }> },
    };
  };

  it('a router on a wrong REDIS_URL answers 503 on /health', async () => {
    const wrong = createInfra({
      redisUrl: `redis://127.0.0.1:${await freePort()}`,
      prefix: testPrefix(),
      log: { warn: () => {}, info: () => {} },
    });
    const r = await startRouter({
      config: loadRouterConfig({ NODE_ENV: 'test', SUPERGRAPH_PATH: supergraph, REDIS_TIMEOUT_MS: '300' }),
      infra: wrong,
      log: createLogger('redis-test', 'silent'),
      port: 0,
      urlOverrides: s.urls,
    });
    try {
      const h = await health(r.url);
      assert.equal(h.status, 503, JSON.stringify(h.body));
      assert.equal(h.body.store, 'unreachable');
      assert.equal((await health(router.url)).status, 200, 'the same router with its Redis up is ok');
    } finally {
      await r.stop();
      await wrong.close();
    }
  });

  it('in production /health names no subgraph', async () => {
    const prod = await s.extraRouter({ NODE_ENV: 'production', ROUTER_SECRET: 'dev-router-secret-change-me-but-prod' });
    const h = await health(prod.url);
    assert.deepEqual(Object.keys(h.body), ['status']);
    assert.doesNotMatch(JSON.stringify(h.body), /identity|catalog|reviews|vendors/);
    assert.ok((await health(s.router.url)).body.subgraphs, 'outside production the details are there');
  });

  it('with Redis down, signed-in requests fail fast and retryable; connection errors are logged once per change', async () => {
    const token = await login();
    assert.equal((await me(token)).status, 200);
    redis!.kill('SIGKILL');
    await new Promise((resolve) => redis!.once('exit', resolve));
    const down = await me(token);
    assert.equal(down.status, 503);
    assert.equal(down.body.errors?.[0]?.extensions?.code, 'SERVICE_UNAVAILABLE');
    assert.equal(down.body.errors?.[0]?.extensions?.retryable, true);
    assert.ok(down.ms < 3000, `answered in ${down.ms} ms, not after ioredis's retries`);
    assert.equal((await health(router.url)).status, 503);
    // Several reconnect attempts later, still one warning.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal(warnings.length, 1, JSON.stringify(warnings));

    redis = await startRedis(port);
    const deadline = Date.now() + 10_000;
    while ((await me(token)).status !== 200) {
      assert.ok(Date.now() < deadline, 'the router recovers once Redis is back');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    while (infos.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(infos.length, 1, JSON.stringify(infos));
    assert.equal(warnings.length, 1);
  });
});
