import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTracing, type Tracing } from '@fashionistar/shared';
import { startStack, type Stack } from '../src/stack';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  scope: string;
  attributes: Record<string, unknown>;
}

/** A tiny OTLP/HTTP receiver: keeps every span POSTed as JSON to /v1/traces. */
async function otlpReceiver(): Promise<{ server: Server; url: string; spans: OtlpSpan[] }> {
  const spans: OtlpSpan[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url === '/v1/traces') {
        const body = JSON.parse(Buffer.concat(chunks).toString()) as {
          resourceSpans: Array<{
            scopeSpans: Array<{
              scope: { name: string };
              spans: Array<
                Omit<OtlpSpan, 'scope' | 'attributes'> & { attributes?: Array<{ key: string; value: Record<string, unknown> }> }
              >;
            }>;
          }>;
        };
        for (const rs of body.resourceSpans)
          for (const ss of rs.scopeSpans)
            for (const s of ss.spans)
              spans.push({
                ...s,
                scope: ss.scope.name,
                attributes: Object.fromEntries((s.attributes ?? []).map((a) => [a.key, Object.values(a.value)[0]])),
              });
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, spans };
}

describe('OpenTelemetry traces across the router and the subgraphs', () => {
  let s: Stack;
  let receiver: Awaited<ReturnType<typeof otlpReceiver>>;
  let tracing: Tracing | null;
  before(async () => {
    receiver = await otlpReceiver();
    // As a process would be configured: the standard variable, read by startTracing and the exporter.
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = receiver.url;
    tracing = await startTracing('fashionistar-test');
    s = await startStack({}, {}, { SEED_SCALE: '30' });
  });
  after(async () => {
    await s.stop();
    await tracing?.shutdown();
    receiver.server.close();
  });

  it('one request is one trace: router span, parse, plan, a fetch per subgraph, the subgraph span under its fetch, SQL spans', async () => {
    assert.ok(tracing, 'tracing started');
    const clientTrace = '4bf92f3577b34da6a3ce929d0e0e4736';
    const r = await s.gql('query Traced { products(first: 2) { edges { node { id title vendor { id name } } } } }', {}, undefined, {
      traceparent: `00-${clientTrace}-00f067aa0ba902b7-01`,
    });
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    await tracing!.flush();
    const spans = receiver.spans.filter((sp) => sp.traceId === clientTrace);
    const names = spans.map((sp) => `${sp.scope}:${sp.name}`);
    const one = (scope: string, name: string) => {
      const found = spans.filter((sp) => sp.scope === scope && sp.name === name);
      assert.ok(found.length > 0, `${scope}:${name} missing from ${names.join(', ')}`);
      return found;
    };
    const [root] = one('fashionistar.router', 'POST /graphql');
    assert.equal(root!.parentSpanId, '00f067aa0ba902b7', "the client's traceparent is continued");
    assert.equal(root!.attributes['graphql.operation.name'], 'Traced');
    one('fashionistar.router', 'graphql.parse');
    one('fashionistar.router', 'graphql.validate');
    one('apollo/gateway-js', 'gateway.plan');
    const fetches = one('apollo/gateway-js', 'gateway.fetch');
    assert.ok(fetches.length >= 2, 'catalog and vendors');
    for (const subgraph of ['catalog', 'vendors']) {
      const [server] = one(`fashionistar.${subgraph}`, 'POST /graphql');
      assert.ok(
        fetches.some((f) => f.spanId === server!.parentSpanId),
        `${subgraph}'s span is a child of a gateway fetch (traceparent forwarded)`,
      );
      one(`fashionistar.${subgraph}`, 'graphql.execute');
    }
    const sql = spans.filter((sp) => sp.scope === 'fashionistar.catalog' && sp.attributes['db.system'] === 'postgresql');
    assert.ok(sql.length > 0, `SQL spans of catalog missing from ${names.join(', ')}`);
    assert.match(String(sql[0]!.attributes['db.statement']), /SELECT/i);
    // Statement text only: parameters ($1, …) never carry their values into the trace.
    assert.ok(!JSON.stringify(sql).includes('"db.parameters"'));
  });
});
