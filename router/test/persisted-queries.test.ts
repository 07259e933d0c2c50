/**
 * The pieces of persisted queries that need no router: the bounded APQ cache and the manifest
 * reader (the round trips through the router are in tests/e2e/persisted-queries.test.ts).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BoundedDocumentCache, parseManifest, persistedQueries, sha256Hex } from '../src/persisted-queries';

describe('BoundedDocumentCache', () => {
  it('keeps at most maxChars of documents, dropping the least recently used first', async () => {
    const cache = new BoundedDocumentCache(30);
    await cache.set('a', 'x'.repeat(10));
    await cache.set('b', 'y'.repeat(10));
    await cache.set('c', 'z'.repeat(10));
    assert.equal(await cache.get('a'), 'x'.repeat(10)); // a is now the most recently used
    await cache.set('d', 'w'.repeat(10));
    assert.equal(await cache.get('b'), undefined, 'b was the least recently used');
    assert.deepEqual(
      [await cache.get('a'), await cache.get('c'), await cache.get('d')].map((v) => v?.length),
      [10, 10, 10],
    );
    assert.equal(cache.size, 3);
    // A document larger than the whole cache is not kept (it still ran).
    await cache.set('huge', 'h'.repeat(31));
    assert.equal(await cache.get('huge'), undefined);
    assert.equal(cache.size, 3);
  });

  it('replacing a key does not count it twice', async () => {
    const cache = new BoundedDocumentCache(20);
    for (let i = 0; i < 100; i++) await cache.set('same', 'q'.repeat(15));
    await cache.set('other', 'r'.repeat(5));
    assert.equal((await cache.get('same'))?.length, 15);
    assert.equal((await cache.get('other'))?.length, 5);
  });
});

describe('parseManifest', () => {
  const doc = 'query A { __typename }';
  it("reads codegen's client preset manifest (sha256:<hex> → document)", () => {
    const m = parseManifest(JSON.stringify({ [`sha256:${sha256Hex(doc)}`]: doc }));
    assert.equal(m.get(sha256Hex(doc)), doc);
  });
  it('refuses a manifest whose hash is not its document', () => {
    assert.throws(() => parseManifest(JSON.stringify({ [`sha256:${sha256Hex('other')}`]: doc })), /is not the sha256 of its document/);
    assert.throws(() => parseManifest(JSON.stringify({ abc: doc })), /sha256 hash/);
    assert.throws(() => parseManifest('[]'), /object/);
    assert.throws(() => parseManifest('{'), /not JSON/);
  });
  it('allow-list mode needs a manifest; the mode defaults to allowlist with one and apq without', () => {
    assert.throws(() => persistedQueries({ PERSISTED_QUERIES: 'allowlist' }), /needs PERSISTED_QUERIES_MANIFEST/);
    assert.equal(persistedQueries({}).mode, 'apq');
    assert.equal(persistedQueries({ PERSISTED_QUERIES: 'off' }).apollo, false);
  });
});
