/**
 * Operation limits through the router (issue 9): cost weighted by list sizes, answer size,
 * introspection for development tools, and the rest of operation safety, at the defaults.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { getIntrospectionQuery } from 'graphql';
import { codes, startStack, type Stack } from '../src/stack';

type Answer = { data?: unknown; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };

const post = async (url: string, body: unknown): Promise<Answer & { status: number }> => {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, ...((await res.json()) as Answer) };
};

/** A storefront listing page: 50 products with everything a product card and quick view show. */
const PAGE_50 = `query Page50 {
  products(first: 50) {
    edges {
      cursor
      node {
        id slug title price { amount currency } oldPrice { amount currency } stock inStock
        variants { id sku size colour stock price { amount currency } }
        images { id url alt position }
        vendor { id name slug logoUrl }
        rating { average count }
        category { id name slug }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}`;

/** The adversarial pass's query: ~40,000 entities, 9.6 MB, 9.8 s before the cost counted lists. */
const ABUSIVE = `{ ${[1, 2, 3, 4, 5]
  .map(
    (i) => `a${i}: products(first: 100) { edges { node { id title reviews(first: 50) { edges { node { id rating body
      author { id firstName reviews(first: 50) { edges { node { id rating body } } } } } } } } } }`,
  )
  .join('\n')} }`;

describe('operation limits through the router', () => {
  let s: Stack;

  before(async () => {
    s = await startStack({}, {}, { SEED_SCALE: '120' });
  });
  after(() => s.stop());

  it('passes a 50-product page with variants, images, vendor, rating and category at the defaults', async () => {
    const r = await s.gql<{ products: { edges: unknown[] } }, Record<string, never>>(PAGE_50);
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    assert.equal(r.data!.products.edges.length, 50);
  });

  it('refuses the abusive nested-list query fast, saying which limit and by how much', async () => {
    const started = performance.now();
    const r = await s.gql(ABUSIVE);
    const ms = performance.now() - started;
    assert.equal(r.status, 400);
    assert.deepEqual(codes(r), ['OPERATION_TOO_COMPLEX']);
    const ext = r.errors![0]!.extensions!;
    assert.equal(ext.limit, 'MAX_COST');
    assert.equal(ext.max, 50_000);
    assert.ok((ext.actual as number) > 5_000_000, String(ext.actual));
    assert.match(r.errors![0]!.message, /estimated cost is 5,\d{3},\d{3} .*the limit \(MAX_COST\) is 50,000/);
    assert.ok(ms < 1000, `took ${ms.toFixed(0)} ms`);
  });

  it('weighs `first` given as a variable, and a list without a size argument at its maximum', async () => {
    const query = `query P($n: Int) { products(first: $n) { edges { node { id variants { id sku } images { url } } } } }`;
    // 1 + 1 + n × (1 + 1 + 1 + 100 × 2 + 1 + 30): 100 products cost 23,402; 10 cost 2,342.
    const small = await s.gql(query, { n: 10 });
    assert.equal(small.errors, undefined, JSON.stringify(small.errors));
    const limited = await s.extraRouter({ MAX_COST: '10000' });
    const big = await post(limited.url, { query, variables: { n: 100 } });
    assert.deepEqual(codes(big), ['OPERATION_TOO_COMPLEX']);
    assert.equal(big.errors![0]!.extensions!.actual, 23_402);
    const sameDocSmall = await post(limited.url, { query, variables: { n: 10 } });
    assert.equal(sameDocSmall.errors, undefined);
  });

  it('answers a coded error instead of an answer over MAX_RESPONSE_BYTES', async () => {
    const limited = await s.extraRouter({ MAX_RESPONSE_BYTES: '4096' });
    const query = '{ products(first: 40) { edges { node { id title description } } } }';
    const r = await post(limited.url, { query });
    assert.equal(r.status, 400);
    assert.equal(r.data, undefined);
    assert.deepEqual(codes(r), ['OPERATION_TOO_COMPLEX']);
    assert.equal(r.errors![0]!.extensions!.limit, 'MAX_RESPONSE_BYTES');
    assert.equal(r.errors![0]!.extensions!.max, 4096);
    assert.ok((r.errors![0]!.extensions!.actual as number) > 4096);
    assert.match(r.errors![0]!.message, /the limit \(MAX_RESPONSE_BYTES\) is 4,096/);
    // The default (5 MiB) lets the same answer through.
    assert.equal((await s.gql(query)).errors, undefined);
  });

  it('answers the standard introspection query in development, and refuses an amplifying one', async () => {
    const full = await s.gql<{ __schema: { types: Array<{ name: string }> } }, Record<string, never>>(getIntrospectionQuery());
    assert.equal(full.errors, undefined, JSON.stringify(full.errors));
    assert.ok(full.data!.__schema.types.some((t) => t.name === 'Product'));
    const amplifying = await s.gql('{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }');
    assert.equal(amplifying.status, 400);
    assert.deepEqual(codes(amplifying), ['GRAPHQL_VALIDATION_FAILED']);
    assert.match(amplifying.errors![0]!.message, /introspection depth/);
  });

  it('limits root fields, directives and tokens, saying which limit', async () => {
    const roots = await s.gql(`{ ${Array.from({ length: 21 }, () => '__typename').join(' ')} }`);
    assert.deepEqual(codes(roots), ['GRAPHQL_VALIDATION_FAILED']);
    assert.deepEqual(
      { limit: roots.errors![0]!.extensions!.limit, max: roots.errors![0]!.extensions!.max, actual: roots.errors![0]!.extensions!.actual },
      { limit: 'MAX_ROOT_FIELDS', max: 20, actual: 21 },
    );
    const directives = await s.gql(`{ products(first: 1) { edges { ${'cursor @include(if: true) '.repeat(51)} } } }`);
    assert.deepEqual(codes(directives), ['GRAPHQL_VALIDATION_FAILED']);
    assert.equal(directives.errors![0]!.extensions!.limit, 'MAX_DIRECTIVES');
    const tokens = await s.gql(`{ products(first: 1) { edges { ${'cursor '.repeat(5000)} } } }`);
    assert.deepEqual(codes(tokens), ['GRAPHQL_PARSE_FAILED']);
    assert.match(tokens.errors![0]!.message, /more tha[nt] 5000 tokens/);
  });

  it('refuses circular fragments before planning, and batched operations', async () => {
    const started = performance.now();
    const cycle = await s.gql('{ ...A } fragment A on Query { __typename ...B } fragment B on Query { ...A }');
    assert.deepEqual(codes(cycle), ['GRAPHQL_VALIDATION_FAILED']);
    assert.match(cycle.errors![0]!.message, /Cannot spread fragment "A" within itself/);
    assert.ok(performance.now() - started < 1000);
    const res = await fetch(s.router.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ query: '{ __typename }' }, { query: '{ __typename }' }]),
    });
    assert.equal(res.status, 400);
    assert.match(await res.text(), /batching/i);
  });

  it('suggests field names in development only', async () => {
    const query = '{ prodcts(first: 1) { edges { cursor } } }';
    const dev = await s.gql(query);
    assert.match(dev.errors![0]!.message, /Did you mean "products"/);
    const prod = await s.extraRouter({ NODE_ENV: 'production', ROUTER_SECRET: 'dev-router-secret-change-me-but-prod' });
    for (const q of [query, '{ products(frist: 1) { edges { cursor } } }', '{ products(first: 1, sort: NEWST) { edges { cursor } } }']) {
      const r = await post(prod.url, { query: q });
      assert.deepEqual(codes(r), ['GRAPHQL_VALIDATION_FAILED'], q);
      assert.doesNotMatch(r.errors![0]!.message, /Did you mean/, q);
    }
  });
});
