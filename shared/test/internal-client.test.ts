import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppError, InternalClient, StoreAccessQuery, type BaseContext } from '../src/index';

const ctx = { requestId: 'r1', identity: null, clientIp: null } as unknown as BaseContext;

async function listen(handler: Parameters<typeof createServer>[1]) {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql` };
}

describe('InternalClient when the peer cannot answer', () => {
  const expectUnavailable = async (url: string, timeoutMs?: number) => {
    const client = new InternalClient({ vendors: url }, 'secret', timeoutMs);
    const error = await client.query(ctx, StoreAccessQuery, { ids: ['x'] }).then(
      () => assert.fail('answered'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof AppError, String(error));
    assert.equal(error.code, 'SUBGRAPH_UNAVAILABLE');
    assert.equal(error.extensions.retryable, true);
    assert.equal(error.extensions.subgraph, 'vendors');
    assert.doesNotMatch(error.message, /ECONNREFUSED|127\.0\.0\.1/);
  };

  it('a refused connection is SUBGRAPH_UNAVAILABLE, not "connect ECONNREFUSED host:port"', async () => {
    const { server, url } = await listen(() => undefined);
    await new Promise((resolve) => server.close(resolve));
    await expectUnavailable(url);
  });

  it('a timeout and a 5xx without a GraphQL body are SUBGRAPH_UNAVAILABLE', async () => {
    const slow = await listen((_req, res) => setTimeout(() => res.end('{}'), 2000).unref());
    const broken = await listen((_req, res) => res.writeHead(502, { 'content-type': 'text/html' }).end('<h1>502</h1>'));
    try {
      await expectUnavailable(slow.url, 200);
      await expectUnavailable(broken.url);
    } finally {
      slow.server.closeAllConnections();
      slow.server.close();
      broken.server.close();
    }
  });
});
