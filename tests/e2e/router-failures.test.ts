import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { join } from 'node:path';
import pino from 'pino';
import { repoRoot } from '@fashionistar/shared';
import { loadRouterConfig } from '@fashionistar/router/src/config';
import { startRouter, type RunningRouter } from '@fashionistar/router/src/router';
import { startStack, type Stack } from '../src/stack';

type Answer = { errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, unknown> }>; data?: unknown };

/** A page mixing catalog (the products) and reviews (their review counts). */
const PAGE = `query StorePage { products(first: 3) { edges { node { id title reviews(first: 1) { totalCount } } } } }`;

/** An HTTP server standing in for a broken subgraph: `handler` decides what it does. */
async function fakeHttp(handler: Parameters<typeof createServer>[1]): Promise<{ url: string; server: Server }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`, server };
}

/** A URL nothing listens on (a stopped subgraph): a port we bound, then closed. */
async function closedUrl(): Promise<string> {
  const { url, server } = await fakeHttp(() => undefined);
  await new Promise((resolve) => server.close(resolve));
  return url;
}

describe('failed subgraph fetches through the router', () => {
  let s: Stack;
  const servers: Server[] = [];
  const post = async (url: string, query: string): Promise<Answer> =>
    (await (
      await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) })
    ).json()) as Answer;

  before(async () => {
    s = await startStack({}, {}, { SEED_SCALE: '20' });
  });
  after(async () => {
    for (const server of servers) {
      server.closeAllConnections();
      server.close();
    }
    await s.stop();
  });

  const withReviewsAt = async (reviewsUrl: string, env: Record<string, string> = {}) =>
    s.extraRouter(env, { ...s.urls, reviews: reviewsUrl });

  it('a stopped subgraph answers SUBGRAPH_UNAVAILABLE naming it, at the fields it would fill', async () => {
    const router = await withReviewsAt(await closedUrl());
    const r = await post(router.url, PAGE);
    const error = r.errors?.[0];
    assert.equal(error?.extensions?.code, 'SUBGRAPH_UNAVAILABLE', JSON.stringify(r.errors));
    assert.equal(error?.extensions?.retryable, true);
    assert.equal(error?.extensions?.subgraph, 'reviews');
    assert.deepEqual(error?.path?.slice(0, 3), ['products', 'edges', 0]);
    assert.equal(error?.path?.at(-1), 'reviews');
    assert.doesNotMatch(error!.message, /fetch failed|ECONNREFUSED/);
  });

  it('a subgraph slower than SUBGRAPH_TIMEOUT_MS answers SUBGRAPH_UNAVAILABLE too', async () => {
    const slow = await fakeHttp((_req, res) => setTimeout(() => res.writeHead(200).end('{}'), 3000).unref());
    servers.push(slow.server);
    const router = await withReviewsAt(slow.url, { SUBGRAPH_TIMEOUT_MS: '300' });
    const started = Date.now();
    const r = await post(router.url, PAGE);
    assert.ok(Date.now() - started < 2500, 'the timeout answered, not the slow subgraph');
    assert.equal(r.errors?.[0]?.extensions?.code, 'SUBGRAPH_UNAVAILABLE', JSON.stringify(r.errors));
    assert.equal(r.errors?.[0]?.extensions?.subgraph, 'reviews');
  });

  it('a 5xx without a GraphQL body is SUBGRAPH_UNAVAILABLE, a 413 SUBGRAPH_REQUEST_TOO_LARGE', async () => {
    const gateway = await fakeHttp((_req, res) => res.writeHead(502, { 'content-type': 'text/html' }).end('<h1>Bad gateway</h1>'));
    const tooLarge = await fakeHttp((_req, res) => res.writeHead(413, { 'content-type': 'text/plain' }).end('too large'));
    servers.push(gateway.server, tooLarge.server);
    const r502 = await post((await withReviewsAt(gateway.url)).url, PAGE);
    assert.equal(r502.errors?.[0]?.extensions?.code, 'SUBGRAPH_UNAVAILABLE', JSON.stringify(r502.errors));
    const r413 = await post((await withReviewsAt(tooLarge.url)).url, PAGE);
    assert.equal(r413.errors?.[0]?.extensions?.code, 'SUBGRAPH_REQUEST_TOO_LARGE', JSON.stringify(r413.errors));
    assert.equal(r413.errors?.[0]?.extensions?.retryable, false);
    assert.doesNotMatch(r413.errors![0]!.message, /Internal server error/);
  });

  it('in production the error names no subgraph', async () => {
    const down = await closedUrl();
    const urls = Object.fromEntries(Object.keys(s.urls).map((name) => [name, down]));
    const router = await s.extraRouter({ NODE_ENV: 'production', ROUTER_SECRET: 'dev-router-secret-change-me-but-prod' }, urls);
    const r = await post(router.url, PAGE);
    const error = r.errors?.[0];
    assert.equal(error?.extensions?.code, 'SUBGRAPH_UNAVAILABLE', JSON.stringify(r.errors));
    assert.equal(error?.extensions?.retryable, true);
    assert.doesNotMatch(JSON.stringify(r.errors), /catalog|reviews|serviceName/);
  });

  it('logs every failed fetch once at warn: subgraph, operation name, duration, code', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    let router: RunningRouter | undefined;
    try {
      router = await startRouter({
        config: loadRouterConfig({ NODE_ENV: 'test', SUPERGRAPH_PATH: join(repoRoot(), 'schema/supergraph.graphql') }),
        infra: s.infra,
        log: pino({ level: 'warn' }, sink),
        port: 0,
        urlOverrides: { ...s.urls, reviews: await closedUrl() },
      });
      await post(router.url, PAGE);
      const failed = lines.filter((l) => l.msg === 'subgraph fetch failed');
      assert.equal(failed.length, 1, JSON.stringify(lines));
      assert.equal(failed[0]!.level, 40);
      assert.equal(failed[0]!.subgraph, 'reviews');
      assert.equal(failed[0]!.operationName, 'StorePage');
      assert.equal(failed[0]!.code, 'SUBGRAPH_UNAVAILABLE');
      assert.equal(typeof failed[0]!.durationMs, 'number');
    } finally {
      await router?.stop();
    }
  });
});
