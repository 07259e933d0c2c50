/**
 * The client IP behind trusted reverse proxies (TRUST_PROXY): only the entries of
 * X-Forwarded-For our own proxies appended count, read from the right.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { clientIp, trustedProxyHops } from '../src/client-ip';

describe('clientIp', () => {
  it('ignores X-Forwarded-For without a trusted proxy', () => {
    assert.equal(clientIp('10.0.0.5', '203.0.113.7', 0), '10.0.0.5');
    assert.equal(clientIp('10.0.0.5', undefined, 0), '10.0.0.5');
    assert.equal(clientIp(undefined, '203.0.113.7', 0), null);
  });

  it('takes the last entry behind one proxy, never the client-controlled first one', () => {
    // The client sent "X-Forwarded-For: 6.6.6.6"; our proxy appended the address it saw.
    assert.equal(clientIp('10.0.0.5', '6.6.6.6, 203.0.113.7', 1), '203.0.113.7');
    assert.equal(clientIp('10.0.0.5', '203.0.113.7', 1), '203.0.113.7');
    assert.equal(clientIp('10.0.0.5', '1.1.1.1,2.2.2.2,  203.0.113.7 ', 1), '203.0.113.7');
  });

  it('counts hops from the right behind several proxies', () => {
    // client → CDN (appends client) → load balancer (appends CDN) → router
    const header = '6.6.6.6, 203.0.113.7, 198.51.100.1';
    assert.equal(clientIp('10.0.0.5', header, 2), '203.0.113.7');
    assert.equal(clientIp('10.0.0.5', header, 3), '6.6.6.6');
    // Fewer entries than trusted hops: the furthest address a trusted proxy vouched for.
    assert.equal(clientIp('10.0.0.5', '203.0.113.7', 3), '203.0.113.7');
  });

  it('reads repeated headers as one list, skipping empty entries', () => {
    assert.equal(clientIp('10.0.0.5', ['6.6.6.6', '203.0.113.7'], 1), '203.0.113.7');
    assert.equal(clientIp('10.0.0.5', ['6.6.6.6, 203.0.113.7', '198.51.100.1'], 2), '203.0.113.7');
    assert.equal(clientIp('10.0.0.5', '6.6.6.6,, 203.0.113.7,', 1), '203.0.113.7');
    // An empty header: the socket peer.
    assert.equal(clientIp('10.0.0.5', '', 1), '10.0.0.5');
    assert.equal(clientIp('10.0.0.5', ' , ', 1), '10.0.0.5');
  });

  it('normalizes ports, brackets and IPv4-mapped IPv6, and falls back to the peer on garbage', () => {
    assert.equal(clientIp('10.0.0.5', '203.0.113.7:5123', 1), '203.0.113.7');
    assert.equal(clientIp('10.0.0.5', '[2001:DB8::1]:443', 1), '2001:db8::1');
    assert.equal(clientIp('10.0.0.5', '2001:db8::1', 1), '2001:db8::1');
    assert.equal(clientIp('10.0.0.5', '::ffff:203.0.113.7', 1), '203.0.113.7');
    assert.equal(clientIp('::ffff:127.0.0.1', undefined, 0), '127.0.0.1');
    assert.equal(clientIp('10.0.0.5', '203.0.113.7, unknown', 1), '10.0.0.5');
    assert.equal(clientIp('10.0.0.5', '203.0.113.7, <script>', 1), '10.0.0.5');
  });
});

describe('trustedProxyHops', () => {
  it('reads TRUST_PROXY as a boolean (one hop) or a number of hops', () => {
    assert.equal(trustedProxyHops(false), 0);
    assert.equal(trustedProxyHops(true), 1);
    assert.equal(trustedProxyHops(undefined), 0);
    assert.equal(trustedProxyHops(2), 2);
    for (const [text, hops] of [
      ['true', 1],
      ['on', 1],
      ['false', 0],
      ['off', 0],
      ['', 0],
      ['0', 0],
      ['1', 1],
      ['3', 3],
    ] as const) {
      assert.equal(trustedProxyHops(text), hops, text);
    }
    assert.throws(() => trustedProxyHops('maybe'), RangeError);
    assert.throws(() => trustedProxyHops(-1), RangeError);
    assert.throws(() => trustedProxyHops(1.5), RangeError);
  });
});
