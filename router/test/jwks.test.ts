/**
 * The JWKS cache against a real (slow) HTTP server: lookups that arrive while the first fetch is
 * under way wait for it instead of answering "unknown key", and unknown kids refetch at most once
 * per interval.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPairSync } from 'node:crypto';
import { createLogger } from '@fashionistar/shared/edge';
import { JwksCache } from '../src/jwks';

describe('JWKS cache', () => {
  let server: Server;
  let url: string;
  let fetches = 0;
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'ES256', use: 'sig' };

  before(async () => {
    server = createServer((_req, res) => {
      fetches++;
      // Slow enough that many lookups arrive while it is in flight.
      setTimeout(() => res.end(JSON.stringify({ keys: [jwk] })), 150);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('answers every lookup that arrives during the first fetch with the key, fetching once', async () => {
    const cache = new JwksCache(url, createLogger('jwks-test', 'silent'));
    const keys = await Promise.all(Array.from({ length: 50 }, () => cache.key('k1')));
    assert.ok(
      keys.every((k) => k !== null),
      `${keys.filter((k) => k === null).length} lookups saw no key`,
    );
    assert.equal(fetches, 1);
    assert.equal(await cache.key('forged'), null);
    assert.equal(await cache.key('forged'), null);
    assert.equal(fetches, 1, 'unknown kids refetch at most once per interval');
  });
});
