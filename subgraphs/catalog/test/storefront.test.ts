import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { EventEnvelope } from '@fashionistar/shared';
import { SEED_VENDOR_IDS, seedCategoryId } from '../src/seed/seed';
import { codes, person, startTestCatalog, type TestCatalog } from './helpers';

interface Page {
  products: {
    totalCount: number;
    edges: Array<{ cursor: string; node: { id: string; title: string; price: { amount: string } } }>;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
}
const LIST = `query($first: Int, $after: String, $filter: ProductFilter, $sort: ProductSort) {
  products(first: $first, after: $after, filter: $filter, sort: $sort) { totalCount edges { cursor node { id title price { amount } } } pageInfo { hasNextPage endCursor } } }`;

describe('catalog: the storefront', () => {
  let t: TestCatalog;
  before(async () => {
    t = await startTestCatalog({ SEED_SCALE: '60' });
    for (const id of SEED_VENDOR_IDS) t.stores[id] = { status: 'APPROVED', members: {} };
  });
  after(() => t.stop());

  const list = (variables: Record<string, unknown>) => t.ok<Page>(LIST, variables);

  it('seeds a catalog tree and lists categories parents first', async () => {
    const d = await t.ok<{ categories: Array<{ id: string; slug: string; depth: number; parent: { id: string } | null }> }>(
      `{ categories { id slug depth parent { id } } }`,
    );
    assert.ok(d.categories.length >= 12);
    const seen = new Set<string>();
    for (const c of d.categories) {
      if (c.parent) assert.ok(seen.has(c.parent.id), `${c.slug} comes after its parent`);
      seen.add(c.id);
    }
    const brands = await t.ok<{ brands: unknown[] }>(`{ brands { id name } }`);
    assert.equal(brands.brands.length, 20);
  });

  it('pages with keyset cursors that stay stable when products are added', async () => {
    const p1 = await list({ first: 10 });
    assert.equal(p1.products.totalCount, 60);
    assert.equal(p1.products.pageInfo.hasNextPage, true);
    // A product published now goes to the head of NEWEST; the next page must not shift.
    await t.sql(
      `UPDATE product SET published_at = now() + interval '1 hour' WHERE id = (SELECT id FROM product ORDER BY published_at LIMIT 1)`,
    );
    const p2 = await list({ first: 10, after: p1.products.pageInfo.endCursor });
    const all = await t.sql<{ id: string }>(`SELECT id FROM product ORDER BY published_at DESC, id DESC`);
    const ids1 = p1.products.edges.map((e) => e.node.id);
    const ids2 = p2.products.edges.map((e) => e.node.id);
    assert.equal(new Set([...ids1, ...ids2]).size, 20, 'no duplicates across pages');
    const expectedSecond = all
      .map((r) => r.id)
      .filter((id) => !ids1.includes(id) && id !== all[0]!.id)
      .slice(0, 10);
    assert.deepEqual(ids2, expectedSecond);
    assert.deepEqual(codes(await t.call(LIST, { first: 10, after: 'garbage' })), ['BAD_USER_INPUT']);
    const forged = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    for (const after of [
      forged(['NEWEST', 'x', 'y']),
      forged(['NEWEST', null, null]),
      forged(['PRICE_ASC', '100', p1.products.edges[0]!.node.id]),
    ]) {
      const r = await t.call(LIST, { first: 10, after });
      assert.deepEqual(codes(r), ['BAD_USER_INPUT'], after);
      assert.equal(r.errors![0]!.extensions!.field, 'after');
    }
    assert.deepEqual(
      codes(await t.call(LIST, { first: 10, after: p1.products.pageInfo.endCursor, sort: 'PRICE_ASC' })),
      ['BAD_USER_INPUT'],
      'a cursor of another sort',
    );
    assert.deepEqual(codes(await t.call(LIST, { first: 500 })), ['BAD_USER_INPUT']);
  });

  it('pages through every product exactly once, for every sort', async () => {
    for (const sort of ['NEWEST', 'PRICE_ASC', 'PRICE_DESC', 'RATING', 'POPULARITY']) {
      const ids: string[] = [];
      let after: string | null = null;
      do {
        const page: Page = await list({ first: 7, after, sort });
        ids.push(...page.products.edges.map((e) => e.node.id));
        after = page.products.pageInfo.hasNextPage ? page.products.pageInfo.endCursor : null;
      } while (after);
      assert.equal(ids.length, 60, sort);
      assert.equal(new Set(ids).size, 60, sort);
    }
    const asc = await list({ first: 60, sort: 'PRICE_ASC' });
    const prices = asc.products.edges.map((e) => Number(e.node.price.amount));
    assert.deepEqual(
      prices,
      [...prices].sort((a, b) => a - b),
    );
  });

  it('filters by category subtree, price, size, colour, stock and tags', async () => {
    const [{ n: inWomen }] = await t.sql<{ n: string }>(
      `SELECT count(*) AS n FROM product p JOIN category c ON c.id = p.category_id JOIN category top ON top.id = c.parent_id WHERE top.slug = 'women'`,
    );
    const women = await list({ first: 100, filter: { categoryId: seedCategoryId('women') } });
    assert.ok(Number(inWomen) > 0);
    assert.equal(women.products.totalCount, Number(inWomen), 'a parent category includes its descendants');
    const bySlug = await list({ first: 100, filter: { categorySlug: 'women' } });
    assert.equal(bySlug.products.totalCount, Number(inWomen));

    const ranged = await list({ first: 100, filter: { minPrice: '20000', maxPrice: '60000.50' } });
    assert.ok(ranged.products.edges.every((e) => Number(e.node.price.amount) >= 20000 && Number(e.node.price.amount) <= 60000.5));
    const [{ n: inRange }] = await t.sql<{ n: string }>(`SELECT count(*) AS n FROM product WHERE price_kobo BETWEEN 2000000 AND 6000050`);
    assert.equal(ranged.products.totalCount, Number(inRange));
    assert.deepEqual(codes(await t.call(LIST, { filter: { minPrice: '-1' } })), ['BAD_USER_INPUT']);

    const [{ n: gold }] = await t.sql<{ n: string }>(`SELECT count(DISTINCT product_id) AS n FROM variant WHERE lower(colour) = 'gold'`);
    assert.equal((await list({ filter: { colours: ['GOLD'] } })).products.totalCount, Number(gold));
    const [{ n: xl }] = await t.sql<{ n: string }>(`SELECT count(DISTINCT product_id) AS n FROM variant WHERE size = 'XL'`);
    assert.equal((await list({ filter: { sizes: ['xl'] } })).products.totalCount, Number(xl));
    const [{ n: adire }] = await t.sql<{ n: string }>(`SELECT count(*) AS n FROM product WHERE 'adire' = ANY(tags)`);
    assert.equal((await list({ filter: { tags: ['Adire'] } })).products.totalCount, Number(adire));
    await t.sql(`UPDATE product SET stock = 0 WHERE id IN (SELECT id FROM product ORDER BY id LIMIT 3)`);
    await t.sql(`UPDATE variant SET stock = 0 WHERE product_id IN (SELECT id FROM product ORDER BY id LIMIT 3)`);
    assert.equal((await list({ filter: { inStock: false } })).products.totalCount, 3);
    assert.equal((await list({ filter: { inStock: true } })).products.totalCount, 57);
    assert.equal((await list({ filter: { vendorId: 'junk' } })).products.totalCount, 0);
  });

  it('searches titles, tags and descriptions, forgiving typos, best match first', async () => {
    const exact = await list({ first: 50, filter: { search: 'ankara' } });
    assert.ok(exact.products.totalCount > 0);
    const [{ n: withAnkara }] = await t.sql<{ n: string }>(
      `SELECT count(*) AS n FROM product WHERE search @@ websearch_to_tsquery('english', 'ankara')`,
    );
    assert.equal(exact.products.totalCount, Number(withAnkara), 'the full-text match decides');
    const typo = await list({ first: 50, filter: { search: 'ankra' } });
    assert.ok(
      typo.products.edges.some((e) => /ankara/i.test(e.node.title)),
      'a typo still finds Ankara',
    );
    const phrase = await list({ first: 5, filter: { search: 'ankara' }, sort: 'RELEVANCE' });
    assert.match(phrase.products.edges[0]!.node.title, /ankara/i, 'a title match ranks before a description or tag match');
    const fallback = await list({ first: 10, sort: 'RELEVANCE' });
    const newest = await list({ first: 10, sort: 'NEWEST' });
    assert.deepEqual(fallback.products.edges, newest.products.edges, 'relevance without a search is the default order');
    // Web-search syntax survives the typo fix: "-word" still excludes.
    const all = await list({ first: 100, filter: { search: 'ankra' } });
    const withoutDresses = await list({ first: 100, filter: { search: 'ankra -dress' } });
    assert.ok(
      withoutDresses.products.totalCount < all.products.totalCount || all.products.edges.every((e) => !/dress/i.test(e.node.title)),
    );
    assert.ok(
      withoutDresses.products.edges.every((e) => !/\bdress\b/i.test(e.node.title)),
      'no dress in the titles',
    );
  });

  it('hides a suspended store and sorts by rating from event-fed copies', async () => {
    const vendor = SEED_VENDOR_IDS[0]!;
    const envelope = (type: string, payload: unknown): EventEnvelope => ({
      id: randomUUID(),
      type,
      version: 1,
      occurredAt: new Date().toISOString(),
      source: 'test',
      payload,
    });
    const before = (await list({ filter: { vendorId: vendor } })).products.totalCount;
    assert.ok(before > 0);
    await t.infra.queues.add(
      'event:catalog',
      envelope('vendors.vendor.status-changed', { vendorId: vendor, status: 'SUSPENDED', previousStatus: 'APPROVED', version: 5 }),
    );
    await waitFor(async () => (await list({ filter: { vendorId: vendor } })).products.totalCount === 0);
    await t.infra.queues.add(
      'event:catalog',
      envelope('vendors.vendor.status-changed', { vendorId: vendor, status: 'APPROVED', previousStatus: 'SUSPENDED', version: 6 }),
    );
    await waitFor(async () => (await list({ filter: { vendorId: vendor } })).products.totalCount === before);
    // A late event (an older version) changes nothing: the store stays visible.
    const late = envelope('vendors.vendor.status-changed', {
      vendorId: vendor,
      status: 'SUSPENDED',
      previousStatus: 'APPROVED',
      version: 4,
    });
    await t.infra.queues.add('event:catalog', late);
    await waitFor(
      async () => (await t.sql<{ n: string }>(`SELECT count(*) AS n FROM processed_event WHERE event_id = $1`, [late.id]))[0]!.n === '1',
    );
    assert.equal((await list({ filter: { vendorId: vendor } })).products.totalCount, before);

    const [top] = await t.sql<{ id: string }>(`SELECT id FROM product ORDER BY id DESC LIMIT 1`);
    await t.infra.queues.add(
      'event:catalog',
      envelope('reviews.product-rating.changed', { productId: top!.id, average: 4.9, count: 12, version: 3 }),
    );
    await waitFor(async () => (await list({ first: 1, sort: 'RATING' })).products.edges[0]?.node.id === top!.id);
    const stale = envelope('reviews.product-rating.changed', { productId: top!.id, average: 1, count: 1, version: 2 });
    await t.infra.queues.add('event:catalog', stale);
    await waitFor(
      async () => (await t.sql<{ n: string }>(`SELECT count(*) AS n FROM processed_event WHERE event_id = $1`, [stale.id]))[0]!.n === '1',
    );
    const [copy] = await t.sql<{ rating_count: number }>(`SELECT rating_count FROM product WHERE id = $1`, [top!.id]);
    assert.equal(copy!.rating_count, 12, 'an older rating event is ignored');
  });

  it('serves the homepage rails and collections', async () => {
    const d = await t.ok<{
      homepage: {
        newArrivals: Array<{ id: string }>;
        featured: unknown[];
        categoryRails: Array<{ category: { slug: string; depth: number }; products: unknown[] }>;
      };
      collections: Array<{ slug: string; products: { totalCount: number } }>;
    }>(
      `{ homepage { newArrivals { id } featured { id } hotDeals { id } topRated { id } categoryRails { category { slug depth } products { id } } } collections { slug products(first: 5) { totalCount edges { node { id } } } } }`,
    );
    assert.equal(d.homepage.newArrivals.length, 12);
    assert.ok(
      d.homepage.categoryRails.length >= 3 && d.homepage.categoryRails.every((r) => r.category.depth === 0 && r.products.length > 0),
    );
    assert.equal(d.collections.length, 3);
  });

  it('stays N+1-free: the statement count of a page does not grow with its size', async () => {
    const q = `query($first: Int) { products(first: $first) { edges { node { id vendor { id } category { name } brand { name } variants { sku stock price { amount } } images { url } } } } }`;
    const small = await t.call(q, { first: 5 });
    const large = await t.call(q, { first: 50 });
    assert.equal(large.errors, undefined);
    assert.ok(small.sqlStatements > 0);
    assert.equal(large.sqlStatements, small.sqlStatements, `5 → ${small.sqlStatements} statements, 50 → ${large.sqlStatements}`);
    const owner = person();
    t.stores[SEED_VENDOR_IDS[1]!]!.members[owner.userId] = 'OWNER';
    const storeQ = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Vendor { products(first: 5, status: PUBLISHED) { edges { node { id variants { id } } } } } } }`;
    const one = await t.call(storeQ, { r: [{ __typename: 'Vendor', id: SEED_VENDOR_IDS[1] }] }, owner);
    assert.equal(one.errors, undefined, JSON.stringify(one.errors));
    // Store pages for the public: first pages of many stores in constant statements.
    const publicQ = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Vendor { products(first: 3) { totalCount edges { node { id images { url } } } } } } }`;
    const oneStore = await t.call(publicQ, { r: [{ __typename: 'Vendor', id: SEED_VENDOR_IDS[0] }] });
    const fiveStores = await t.call<{ _entities: Array<{ products: { edges: unknown[] } }> }>(publicQ, {
      r: SEED_VENDOR_IDS.map((id) => ({ __typename: 'Vendor', id })),
    });
    assert.ok(fiveStores.data!._entities.every((v) => v.products.edges.length === 3));
    assert.equal(
      fiveStores.sqlStatements,
      oneStore.sqlStatements,
      `1 store → ${oneStore.sqlStatements}, 5 stores → ${fiveStores.sqlStatements}`,
    );
    const drafts = await t.call<{ _entities: Array<{ products: { edges: unknown[] } }> }>(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Vendor { products(status: DRAFT) { edges { node { id } } } } } }`,
      { r: [{ __typename: 'Vendor', id: SEED_VENDOR_IDS[0] }] },
    );
    assert.deepEqual(drafts.data!._entities[0]!.products.edges, [], 'the public never sees other statuses');
  });
});

async function waitFor(check: () => Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
