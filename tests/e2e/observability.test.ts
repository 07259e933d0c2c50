import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { join } from 'node:path';
import pino from 'pino';
import { repoRoot } from '@fashionistar/shared';
import { loadRouterConfig } from '@fashionistar/router/src/config';
import { startRouter, type RunningRouter } from '@fashionistar/router/src/router';
import { startStack, type Stack } from '../src/stack';

/** A router whose info log lines are kept, to read its access log. */
async function loggedRouter(s: Stack, env: Record<string, string> = {}) {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const router = await startRouter({
    config: loadRouterConfig({ NODE_ENV: 'test', SUPERGRAPH_PATH: join(repoRoot(), 'schema/supergraph.graphql'), ...env }),
    infra: s.infra,
    log: pino({ level: 'info' }, stream),
    port: 0,
    urlOverrides: s.urls,
  });
  return { router, lines };
}

/** The value of one sample of a Prometheus text answer, whatever the order of its labels. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^(\w+)\{(.*)\} (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...m[2]!.matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v) && Object.keys(have).length === Object.keys(labels).length)
      return Number(m[3]);
  }
  return undefined;
}

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

describe('observability through the router: /metrics and access logs', () => {
  let s: Stack;
  let logged: { router: RunningRouter; lines: Array<Record<string, unknown>> };
  before(async () => {
    s = await startStack({}, {}, { SEED_SCALE: '40' });
    logged = await loggedRouter(s);
  });
  after(async () => {
    await logged.router.stop();
    await s.stop();
  });

  it('logs one line per operation with name, type, duration, status, codes, client and user id, never variables or e-mail', async () => {
    const headers = { 'apollographql-client-name': 'storefront-web', 'apollographql-client-version': '1.4.2', 'x-request-id': 'obs-req-1' };
    const page = await post(
      logged.router.url,
      { query: 'query HomePage { products(first: 2) { edges { node { id vendor { id } } } } }' },
      headers,
    );
    assert.equal(page.status, 200);
    const email = 'customer1@fashionistar.test';
    const login = (await (
      await post(logged.router.url, {
        query: 'mutation SignIn($i: LoginInput!) { login(input: $i) { accessToken user { id } } }',
        variables: { i: { email, password: 'Passw0rd!' } },
      })
    ).json()) as { data: { login: { accessToken: string; user: { id: string } } } };
    const { accessToken, user } = login.data.login;
    await post(logged.router.url, { query: 'query Me { me { id email } }' }, { authorization: `Bearer ${accessToken}` });
    await post(logged.router.url, { query: 'query Broken { nope }' });

    const access = logged.lines.filter((l) => l.msg === 'graphql request');
    const home = access.find((l) => l.operation === 'HomePage');
    assert.ok(home, JSON.stringify(access));
    assert.equal(home.level, 30); // info
    assert.equal(home.type, 'query');
    assert.equal(home.status, 200);
    assert.equal(home.requestId, 'obs-req-1');
    assert.equal(home.client, 'storefront-web');
    assert.equal(home.clientVersion, '1.4.2');
    assert.equal(typeof home.ms, 'number');
    assert.equal(home.codes, undefined);
    const me = access.find((l) => l.operation === 'Me');
    assert.equal(me?.userId, user.id);
    const broken = access.find((l) => l.operation === 'Broken');
    assert.deepEqual(broken?.codes, ['GRAPHQL_VALIDATION_FAILED']);
    assert.equal(broken?.status, 400);
    const everything = JSON.stringify(logged.lines);
    for (const secret of [email, 'Passw0rd!', accessToken]) assert.ok(!everything.includes(secret), `the log holds ${secret.slice(0, 20)}`);
  });

  it('/metrics counts operations and errors by name and code, latency, subgraph fetches, sockets and the process', async () => {
    await post(logged.router.url, { query: 'query HomePage { products(first: 1) { edges { node { id } } } }' });
    await post(logged.router.url, { query: 'query Broken { nope }' });
    await post(logged.router.url, { query: '{ __typename }' });
    const res = await fetch(logged.router.url.replace('/graphql', '/metrics'));
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/plain/);
    const text = await res.text();
    const router = { service: 'router' };
    assert.ok(sample(text, 'graphql_requests_total', { ...router, operation: 'HomePage', type: 'query', status: '200' })! >= 1, text);
    assert.equal(sample(text, 'graphql_requests_total', { ...router, operation: 'anonymous', type: 'query', status: '200' }), 1);
    // A document that never validated is counted under `invalid`, not under the name it claims
    // (callers could otherwise fill every label slot with made-up names).
    assert.ok(sample(text, 'graphql_errors_total', { ...router, operation: 'invalid', code: 'GRAPHQL_VALIDATION_FAILED' })! >= 1);
    assert.equal(sample(text, 'graphql_errors_total', { ...router, operation: 'Broken', code: 'GRAPHQL_VALIDATION_FAILED' }), undefined);
    assert.ok(
      sample(text, 'graphql_request_duration_seconds_bucket', { ...router, le: '+Inf', operation: 'HomePage', type: 'query' })! >= 1,
    );
    assert.ok(sample(text, 'subgraph_fetch_duration_seconds_count', { ...router, subgraph: 'catalog', outcome: 'ok' })! >= 1);
    assert.match(text, /^websocket_connections\{service="router"\} 0$/m);
    assert.match(text, /process_resident_memory_bytes/);
    assert.match(text, /nodejs_eventloop_lag_seconds/);
  });

  it('each subgraph serves its own /metrics: operations, outbox lag and queue depth', async () => {
    const res = await fetch(new URL('/metrics', s.urls.catalog));
    assert.equal(res.status, 200);
    const text = await res.text();
    const catalog = { service: 'catalog' };
    assert.ok(
      sample(text, 'graphql_requests_total', { ...catalog, operation: 'HomePage__catalog__0', type: 'query', status: '200' })! >= 1,
    );
    assert.match(text, /outbox_lag_seconds\{service="catalog"\} \d/);
    assert.match(text, /outbox_pending_events\{service="catalog"\} \d/);
    assert.match(text, /# TYPE queue_jobs gauge/);
  });

  it('in production /metrics is absent without METRICS_TOKEN, and needs the bearer token with it', async () => {
    const prod = { NODE_ENV: 'production', ROUTER_SECRET: 'prod-secret-for-metrics-test' };
    const closed = await s.extraRouter(prod);
    assert.equal((await fetch(closed.url.replace('/graphql', '/metrics'))).status, 404);
    const guarded = await s.extraRouter({ ...prod, METRICS_TOKEN: 'scrape-me-1234' });
    const metricsUrl = guarded.url.replace('/graphql', '/metrics');
    const refused = await fetch(metricsUrl);
    assert.equal(refused.status, 401);
    assert.equal(refused.headers.get('www-authenticate'), 'Bearer');
    assert.equal((await fetch(metricsUrl, { headers: { authorization: 'Bearer wrong-token-000' } })).status, 401);
    const scraped = await fetch(metricsUrl, { headers: { authorization: 'Bearer scrape-me-1234' } });
    assert.equal(scraped.status, 200);
    assert.match(await scraped.text(), /graphql_requests_total/);
  });

  it('with METRICS_PORT, /metrics moves to its own listener and leaves the public port', async () => {
    const r = await s.extraRouter({ NODE_ENV: 'production', ROUTER_SECRET: 'prod-secret-for-metrics-test', METRICS_PORT: '0' });
    assert.equal((await fetch(r.url.replace('/graphql', '/metrics'))).status, 404);
    assert.ok(r.metricsUrl);
    const res = await fetch(r.metricsUrl);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /websocket_connections/);
    assert.equal((await fetch(r.metricsUrl.replace('/metrics', '/graphql'))).status, 404);
  });
});
