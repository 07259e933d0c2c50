import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { print } from 'graphql';
import { StorefrontListingDocument, TaxonomyBySlugDocument, type StorefrontListingQueryVariables } from '../src/__generated__/graphql';
import { codes, startStack, type Stack } from '../src/stack';

describe('the storefront listing through the router: facets, search correction, slug lookups, thumbnails', () => {
  let s: Stack;
  before(async () => {
    s = await startStack({}, {}, { SEED_SCALE: '120' });
  });
  after(() => s.stop());

  const listing = async (variables: StorefrontListingQueryVariables) => {
    const r = await s.gql(StorefrontListingDocument, variables);
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    return r.data!.products;
  };

  it('offers facets whose counts are what picking the value gives', async () => {
    const all = await listing({ first: 20 });
    assert.equal(all.totalCount, 120);
    assert.equal(all.searchCorrection, null);
    const f = all.facets!;
    assert.deepEqual(f.sizes.map((x) => x.value).sort(), ['L', 'M', 'S', 'XL']);
    assert.equal(
      f.brands.reduce((n, b) => n + b.count, 0),
      120,
      'every seeded product has one brand',
    );
    assert.ok(f.categories.some((c) => c.category.depth === 0) && f.categories.some((c) => c.category.parent));
    assert.equal(f.priceRange!.min.currency, 'NGN');
    assert.ok(Number(f.priceRange!.min.amount) <= Number(f.priceRange!.max.amount));

    // Picking a value gives exactly the products its count promised, and the facet still offers the others.
    const colour = f.colours[0]!;
    const picked = await listing({ first: 5, filter: { colours: [colour.value] } });
    assert.equal(picked.totalCount, colour.count);
    assert.deepEqual(
      picked.facets!.colours.map((c) => [c.value, c.count]),
      f.colours.map((c) => [c.value, c.count]),
      'the colour facet ignores the colour picked',
    );
    const brand = picked.facets!.brands[0]!;
    const both = await listing({ first: 5, filter: { colours: [colour.value], brandId: brand.brand.id } });
    assert.equal(both.totalCount, brand.count);
    const category = picked.facets!.categories.find((c) => c.category.depth === 0)!;
    const inCategory = await listing({ first: 5, filter: { colours: [colour.value], categorySlug: category.category.slug } });
    assert.equal(inCategory.totalCount, category.count, 'a category counts its subtree, as the filter matches it');
  });

  it('says what search understood, and RELEVANCE without a search falls back to the newest first', async () => {
    const typo = await listing({ first: 5, filter: { search: 'ankra' } });
    assert.equal(typo.searchCorrection, 'ankara');
    const exact = await listing({ first: 5, filter: { search: 'ankara' } });
    assert.equal(exact.searchCorrection, null);
    assert.equal(typo.totalCount, exact.totalCount);
    assert.deepEqual(typo.facets, exact.facets, 'facets follow the corrected search');
    const cleared = await listing({ first: 10, filter: { search: '' }, sort: 'RELEVANCE' });
    const newest = await listing({ first: 10, sort: 'NEWEST' });
    assert.deepEqual(
      cleared.edges.map((e) => e.node.id),
      newest.edges.map((e) => e.node.id),
    );
  });

  it('finds categories and brands by slug, and answers null for an unknown one', async () => {
    const r = await s.gql(TaxonomyBySlugDocument, { category: 'Women', brand: 'eko-couture' });
    assert.equal(r.errors, undefined);
    assert.equal(r.data!.category!.depth, 0);
    assert.ok(r.data!.category!.children.some((c) => c.slug === 'women-dresses'));
    assert.equal(r.data!.brand!.name, 'Eko Couture');
    const none = await s.gql(TaxonomyBySlugDocument, { category: 'no-such-thing', brand: 'nobody' });
    assert.equal(none.errors, undefined);
    assert.equal(none.data!.category, null);
    assert.equal(none.data!.brand, null);
  });

  it('keeps the listing N+1-free with facets and thumbnails, and refuses a thumbnail count above 30', async () => {
    const count = async (variables: Record<string, unknown>) => {
      const res = await fetch(s.router.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: print(StorefrontListingDocument), variables }),
      });
      const body = (await res.json()) as { errors?: unknown };
      assert.equal(body.errors, undefined, JSON.stringify(body.errors));
      return Number(res.headers.get('x-sql-statements'));
    };
    const ten = await count({ first: 10, filter: { sizes: ['M'] } });
    const fifty = await count({ first: 50 });
    assert.ok(ten > 0);
    assert.equal(fifty, ten, `10 products → ${ten} statements, 50 → ${fifty}`);
    const tooMany = await s.gql(`{ products(first: 2) { edges { node { images(first: 31) { url } } } } }`);
    assert.deepEqual([...new Set(codes(tooMany))], ['BAD_USER_INPUT']);
  });

  it('refuses a page over the field maximum with BAD_USER_INPUT on `first`, without nulling the parent', async () => {
    const slug = (await listing({ first: 1 })).edges[0]!.node.slug;
    const query = `query($slug: String!, $n: Int) { product(slug: $slug) { id mine: reviews(first: $n) { totalCount } } }`;
    const big = await s.gql<unknown, Record<string, unknown>>(query, { slug, n: 60 });
    assert.equal(big.status, 400);
    assert.equal(big.data, undefined);
    assert.deepEqual(codes(big), ['BAD_USER_INPUT']);
    const ext = big.errors![0]!.extensions!;
    assert.equal(ext.field, 'first');
    assert.equal(ext.fieldPath, 'product.mine');
    assert.match(big.errors![0]!.message, /between 1 and 50/);
    // Within the limit the same operation answers.
    const ok = await s.gql<{ product: { id: string } | null }, Record<string, unknown>>(query, { slug, n: 50 });
    assert.equal(ok.errors, undefined, JSON.stringify(ok.errors));
    assert.ok(ok.data!.product?.id);
    // Nested under a list and inline: the same rule, whatever the depth.
    const nested = await s.gql(`{ products(first: 2) { edges { node { images(first: 31) { url } } } } }`);
    assert.equal(nested.errors![0]!.extensions!.fieldPath, 'products.edges.node.images');
  });
});
