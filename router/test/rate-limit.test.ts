/**
 * The router's request counter on its own: limits per IP and per user in the in-process store,
 * and, with Redis unreachable, requests go on uncounted at once (logged once, not per request).
 * Through the router: tests/e2e/rate-limits.test.ts.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryKeyValueStore, RedisKeyValueStore, type Logger } from '@fashionistar/shared/edge';
import { RouterRateLimiter } from '../src/rate-limit';

describe('RouterRateLimiter', () => {
  it('counts per IP and per user separately, 0 switching a limit off', async () => {
    const kv = new MemoryKeyValueStore();
    const limiter = new RouterRateLimiter(kv, { perIp: 2, perUser: 1 });
    assert.equal(await limiter.hitIp('198.51.100.1'), null);
    assert.equal(await limiter.hitIp('198.51.100.1'), null);
    const refused = await limiter.hitIp('198.51.100.1');
    assert.equal(refused?.limit, 'ip');
    assert.ok(refused!.retryAfterSeconds >= 1 && refused!.retryAfterSeconds <= 60);
    assert.equal(await limiter.hitIp('198.51.100.2'), null, 'another address');
    assert.equal(await limiter.hitIp(null), null, 'no address: not counted');
    assert.equal(await limiter.hitUser('u1'), null);
    assert.equal((await limiter.hitUser('u1'))?.limit, 'user');
    assert.equal(await limiter.hitUser(null), null, 'anonymous: no user count');

    const off = new RouterRateLimiter(kv, { perIp: 0, perUser: 0 });
    for (let i = 0; i < 10; i++) assert.equal(await off.hitIp('198.51.100.1'), null);
    await kv.close();
  });

  it('lets requests through uncounted, quickly, when Redis is unreachable, and logs it once', async () => {
    const kv = new RedisKeyValueStore({ url: 'redis://127.0.0.1:1', prefix: 'fsg-test:' });
    const warnings: string[] = [];
    const log = { warn: (_o: unknown, msg: string) => void warnings.push(msg), info: () => undefined } as unknown as Logger;
    const limiter = new RouterRateLimiter(kv, { perIp: 1, perUser: 1 }, log, 200);
    const started = Date.now();
    for (let i = 0; i < 5; i++) assert.equal(await limiter.hitIp('198.51.100.9'), null);
    assert.ok(Date.now() - started < 5 * 200 + 500, 'each count gives up within its timeout');
    assert.equal(warnings.length, 1, 'one warning for the outage, not one per request');
    await kv.close();
  });
});
