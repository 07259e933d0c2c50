import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { seedUuid } from '@fashionistar/shared';
import { SEED_VENDOR_IDS, seedCategoryId } from '../src/seed/seed';
import { codes, startTestCatalog, type TestCatalog } from './helpers';

interface Facets {
  sizes: Array<{ value: string; count: number }>;
  colours: Array<{ value: string; count: number }>;
  brands: Array<{ brand: { slug: string }; count: number }>;
  categories: Array<{ category: { slug: string; depth: number }; count: number }>;
  priceRange: { min: { amount: string; currency: string }; max: { amount: string } } | null;
}
interface FacetPage {
  products: { totalCount: number; searchCorrection: string | null; edges: Array<{ node: { id: string } }>; facets: Facets };
}
const FACETS = `query($first: Int, $filter: ProductFilter, $sort: ProductSort) {
  products(first: $first, filter: $filter, sort: $sort) {
    totalCount searchCorrection edges { node { id } }
    facets {
      sizes { value count } colours { value count } brands { brand { slug } count }
      categories { category { slug depth } count } priceRange { min { amount currency } max { amount } }
    }
  } }`;

const TAG = 'facetfixture';
const LAGOS = seedUuid('brand:Lagos Loom');
const EKO = seedUuid('brand:Eko Couture');

/** name → count, for comparing facet groups whatever the order of ties. */
const counts = (xs: Array<{ count: number }>, key: (x: never) => string) => Object.fromEntries(xs.map((x) => [key(x as never), x.count]));
const sizes = (f: Facets) => counts(f.sizes, (x: { value: string }) => x.value);
const colours = (f: Facets) => counts(f.colours, (x: { value: string }) => x.value);
const brands = (f: Facets) => counts(f.brands, (x: { brand: { slug: string } }) => x.brand.slug);
const categories = (f: Facets) => counts(f.categories, (x: { category: { slug: string } }) => x.category.slug);

describe('catalog: facets, search correction, slug lookups and thumbnails', () => {
  let t: TestCatalog;
  before(async () => {
    t = await startTestCatalog({ SEED_SCALE: '60' });
    for (const id of SEED_VENDOR_IDS) t.stores[id] = { status: 'APPROVED', members: {} };
    // Six fixture products with a tag of their own, so a filter on it sees exactly these:
    //   p1 ₦10,000 Lagos Loom, women-dresses: S/Red, M/Red
    //   p2 ₦20,000 Lagos Loom, women-dresses: M/Blue, L/Blue
    //   p3 ₦30,000 Eko Couture, men-agbada: M/red (another spelling), XL/Black
    //   p4 ₦40,000 Eko Couture, women-tops: L/Blue, and a removed XL/Green (never counted)
    //   p5 ₦50,000 no brand, no category, no variants
    //   p6 a DRAFT (never counted)
    const product = async (n: number, price: number, brand: string | null, category: string | null, status = 'PUBLISHED') => {
      const id = randomUUID();
      await t.sql(
        `INSERT INTO product (id, vendor_id, category_id, brand_id, title, slug, description, price_kobo, stock, status, tags, published_at)
         VALUES ($1, $2, $3, $4, $5, $6, 'A fixture.', $7, 3, $8, ARRAY[$9], now() - interval '1 day')`,
        [id, SEED_VENDOR_IDS[0], category && seedCategoryId(category), brand, `Fixture ${n}`, `fixture-${n}`, price * 100, status, TAG],
      );
      return id;
    };
    const variant = (productId: string, size: string, colour: string, removed = false) =>
      t.sql(
        `INSERT INTO variant (id, product_id, size, colour, sku, stock, removed_at) VALUES ($1, $2, $3, $4, $5, 2, ${removed ? 'now()' : 'NULL'})`,
        [randomUUID(), productId, size, colour, `FX-${randomUUID().slice(0, 8)}`],
      );
    const p1 = await product(1, 10_000, LAGOS, 'women-dresses');
    await variant(p1, 'S', 'Red');
    await variant(p1, 'M', 'Red');
    const p2 = await product(2, 20_000, LAGOS, 'women-dresses');
    await variant(p2, 'M', 'Blue');
    await variant(p2, 'L', 'Blue');
    const p3 = await product(3, 30_000, EKO, 'men-agbada');
    await variant(p3, 'M', 'red');
    await variant(p3, 'XL', 'Black');
    const p4 = await product(4, 40_000, EKO, 'women-tops');
    await variant(p4, 'L', 'Blue');
    await variant(p4, 'XL', 'Green', true);
    await product(5, 50_000, null, null);
    const p6 = await product(6, 1_000, LAGOS, 'women-dresses', 'DRAFT');
    await variant(p6, 'XXL', 'Pink');
  });
  after(() => t.stop());

  const facets = async (filter: Record<string, unknown>, first = 20) => (await t.ok<FacetPage>(FACETS, { first, filter })).products;

  it('counts each facet value for the current filter, on fixture data', async () => {
    const all = await facets({ tags: [TAG] });
    assert.equal(all.totalCount, 5);
    assert.deepEqual(all.facets.sizes, [
      { value: 'M', count: 3 },
      { value: 'L', count: 2 },
      { value: 'S', count: 1 },
      { value: 'XL', count: 1 },
    ]);
    // "Red" and "red" are one value, spelled as most variants spell it; the removed Green is gone.
    assert.deepEqual(all.facets.colours, [
      { value: 'Blue', count: 2 },
      { value: 'Red', count: 2 },
      { value: 'Black', count: 1 },
    ]);
    assert.deepEqual(brands(all.facets), { 'lagos-loom': 2, 'eko-couture': 2 });
    // A category counts its whole subtree; parents come with their depth.
    assert.deepEqual(categories(all.facets), { 'women-dresses': 2, 'women-tops': 1, women: 3, 'men-agbada': 1, men: 1 });
    assert.equal(all.facets.categories.find((c) => c.category.slug === 'women-dresses')!.category.depth, 1);
    assert.equal(all.facets.categories.find((c) => c.category.slug === 'women')!.category.depth, 0);
    assert.deepEqual(all.facets.priceRange, { min: { amount: '10000.00', currency: 'NGN' }, max: { amount: '50000.00' } });
  });

  it("ignores each facet's own selection, and applies the others", async () => {
    const picked = await facets({ tags: [TAG], sizes: ['m'], brandId: LAGOS });
    assert.equal(picked.totalCount, 2, 'p1 and p2');
    assert.deepEqual(sizes(picked.facets), { S: 1, M: 2, L: 1 }, 'sizes of Lagos Loom, whatever size was picked');
    assert.deepEqual(brands(picked.facets), { 'lagos-loom': 2, 'eko-couture': 1 }, 'brands of size M, whatever brand was picked');
    assert.deepEqual(colours(picked.facets), { Red: 1, Blue: 1 });
    assert.deepEqual(categories(picked.facets), { 'women-dresses': 2, women: 2 });
    assert.deepEqual(picked.facets.priceRange, { min: { amount: '10000.00', currency: 'NGN' }, max: { amount: '20000.00' } });

    const pricey = await facets({ tags: [TAG], minPrice: '25000' });
    assert.equal(pricey.totalCount, 3);
    assert.deepEqual(pricey.facets.priceRange?.min.amount, '10000.00', 'the price range ignores the price filter');
    assert.deepEqual(sizes(pricey.facets), { M: 1, L: 1, XL: 1 });

    const women = await facets({ tags: [TAG], categorySlug: 'women' });
    assert.equal(women.totalCount, 3);
    assert.deepEqual(categories(women.facets), { 'women-dresses': 2, 'women-tops': 1, women: 3, 'men-agbada': 1, men: 1 });
    assert.deepEqual(brands(women.facets), { 'lagos-loom': 2, 'eko-couture': 1 });

    const none = await facets({ tags: [TAG], colours: ['mauve'] });
    assert.equal(none.totalCount, 0);
    assert.equal(none.facets.priceRange, null, 'no price range when nothing matches');
    assert.deepEqual(none.facets.sizes, []);
    assert.deepEqual(colours(none.facets), { Red: 2, Blue: 2, Black: 1 }, 'the colours a shopper can switch to');
  });

  it('agrees with the seeded catalog', async () => {
    const d = await facets({ search: 'ankara' });
    const visible = `p.status = 'PUBLISHED' AND p.moderation = 'ACTIVE' AND NOT p.vendor_hidden AND p.search @@ websearch_to_tsquery('english', 'ankara')`;
    const [{ n }] = await t.sql<{ n: string }>(`SELECT count(*) AS n FROM product p WHERE ${visible}`);
    assert.equal(d.totalCount, Number(n));
    const bySize = await t.sql<{ size: string; n: string }>(
      `SELECT v.size, count(DISTINCT p.id) AS n FROM product p JOIN variant v ON v.product_id = p.id AND v.removed_at IS NULL WHERE ${visible} GROUP BY v.size`,
    );
    assert.deepEqual(sizes(d.facets), Object.fromEntries(bySize.map((r) => [r.size, Number(r.n)])));
    const [range] = await t.sql<{ lo: string; hi: string }>(
      `SELECT (min(price_kobo) / 100)::text || '.00' AS lo, (max(price_kobo) / 100)::text || '.00' AS hi FROM product p WHERE ${visible}`,
    );
    assert.equal(d.facets.priceRange!.min.amount, range!.lo);
    assert.equal(d.facets.priceRange!.max.amount, range!.hi);
    // Every seeded product has a brand and a leaf category: brands and top-level categories add up.
    assert.equal(
      d.facets.brands.reduce((s, b) => s + b.count, 0),
      d.totalCount,
    );
    assert.equal(
      d.facets.categories.filter((c) => c.category.depth === 0).reduce((s, c) => s + c.count, 0),
      d.totalCount,
    );
  });

  it('computes facets in a bounded number of statements, whatever the page size or the number of values', async () => {
    const small = await t.call(FACETS, { first: 2, filter: { tags: [TAG], sizes: ['M'] } });
    const large = await t.call<FacetPage>(FACETS, { first: 60, filter: {} });
    assert.equal(small.errors, undefined, JSON.stringify(small.errors));
    assert.equal(large.errors, undefined, JSON.stringify(large.errors));
    const data = large.data!;
    assert.ok(data.products.facets.brands.length === 20 && data.products.facets.categories.length > 12);
    assert.equal(large.sqlStatements, small.sqlStatements, `small → ${small.sqlStatements}, large → ${large.sqlStatements}`);
    // rows, totalCount, facets (one statement for every group), brands, categories, category depths
    assert.equal(large.sqlStatements, 6);
    const plain = await t.call(`{ products(first: 60) { edges { node { id } } } }`);
    assert.equal(plain.sqlStatements, 1, 'facets cost nothing unless selected');
    const one = await t.call(`{ products(first: 60) { facets { priceRange { min { amount } } } } }`);
    assert.equal(one.sqlStatements, 2);
    const other = await t.ok<{ collections: Array<{ products: { facets: null; searchCorrection: null } }> }>(
      `{ collections { products(first: 1) { facets { sizes { value } } searchCorrection } } }`,
    );
    assert.ok(
      other.collections.every((c) => c.products.facets === null && c.products.searchCorrection === null),
      'only the storefront list',
    );
  });

  it('says what search understood, and falls back to the default sort without a search', async () => {
    const corrected = await t.ok<FacetPage>(FACETS, { filter: { search: 'ankra' } });
    assert.equal(corrected.products.searchCorrection, 'ankara');
    assert.ok(corrected.products.totalCount > 0);
    const cased = await t.ok<FacetPage>(FACETS, { filter: { search: 'Ankra -dress' } });
    assert.equal(cased.products.searchCorrection, 'Ankara -dress', 'in the case typed, syntax kept');
    for (const search of ['ankara', 'zzqxv', undefined]) {
      const d = await t.ok<FacetPage>(FACETS, { filter: { search } });
      assert.equal(d.products.searchCorrection, null, `${search}: used as typed`);
    }
    // RELEVANCE without a search (cleared, or only spaces) is the default order, and pages on.
    const newest = await t.ok<FacetPage>(`{ products(first: 60, sort: NEWEST) { edges { node { id } } } }`);
    for (const filter of [{}, { search: '   ' }]) {
      const ids: string[] = [];
      let after: string | null = null;
      do {
        const page: { products: { edges: Array<{ node: { id: string } }>; pageInfo: { hasNextPage: boolean; endCursor: string } } } =
          await t.ok(
            `query($after: String, $filter: ProductFilter) { products(first: 25, after: $after, filter: $filter, sort: RELEVANCE) { edges { node { id } } pageInfo { hasNextPage endCursor } } }`,
            { after, filter },
          );
        ids.push(...page.products.edges.map((e) => e.node.id));
        after = page.products.pageInfo.hasNextPage ? page.products.pageInfo.endCursor : null;
      } while (after);
      assert.deepEqual(
        ids.slice(0, 60),
        newest.products.edges.map((e) => e.node.id),
      );
    }
  });

  it('answers every problem of the list arguments at once', async () => {
    const r = await t.call(FACETS, { first: 500, filter: { search: 'x'.repeat(201), minPrice: 'cheap', maxPrice: '-5' } });
    assert.deepEqual(codes(r), ['BAD_USER_INPUT']);
    const fields = (r.errors![0]!.extensions!.fields as Array<{ path: string }>).map((f) => f.path);
    assert.deepEqual(fields, ['first', 'filter.search', 'filter.minPrice', 'filter.maxPrice']);
    assert.equal(r.errors![0]!.extensions!.field, 'first');
    const order = await t.call(FACETS, { filter: { minPrice: '300', maxPrice: '200' } });
    assert.deepEqual(
      (order.errors![0]!.extensions!.fields as Array<{ path: string }>).map((f) => f.path),
      ['filter.minPrice'],
    );
  });

  it('finds a category or a brand by slug, whatever its case; null when there is none', async () => {
    const d = await t.ok<{
      category: { id: string; name: string; depth: number; parent: { slug: string } };
      upper: { slug: string };
      brand: { name: string; slug: string };
      noCategory: null;
      noBrand: null;
    }>(`{ category(slug: "women-dresses") { id name depth parent { slug } } upper: category(slug: " Women-Dresses ") { slug }
          brand(slug: "LAGOS-LOOM") { name slug } noCategory: category(slug: "nope") { id } noBrand: brand(slug: "") { id } }`);
    assert.equal(d.category.id, seedCategoryId('women-dresses'));
    assert.deepEqual([d.category.name, d.category.depth, d.category.parent.slug], ['Dresses', 1, 'women']);
    assert.equal(d.upper.slug, 'women-dresses');
    assert.deepEqual(d.brand, { name: 'Lagos Loom', slug: 'lagos-loom' });
    assert.equal(d.noCategory, null);
    assert.equal(d.noBrand, null);
  });

  it('cuts a gallery to images(first), one statement for a whole list', async () => {
    const q = `query($first: Int, $images: Int) { products(first: $first) { edges { node { id images(first: $images) { url position } } } } }`;
    const small = await t.call<{ products: { edges: Array<{ node: { images: Array<{ position: number }> } }> } }>(q, {
      first: 5,
      images: 1,
    });
    const large = await t.call<{ products: { edges: Array<{ node: { images: Array<{ position: number }> } }> } }>(q, {
      first: 50,
      images: 1,
    });
    assert.equal(large.errors, undefined);
    assert.ok(large.data!.products.edges.every((e) => e.node.images.length === 1 && e.node.images[0]!.position === 0));
    assert.equal(large.sqlStatements, small.sqlStatements);
    assert.equal(large.sqlStatements, 2, 'the page and every gallery');
    const all = await t.ok<{ products: { edges: Array<{ node: { images: unknown[] } }> } }>(q, { first: 3 });
    assert.ok(
      all.products.edges.every((e) => e.node.images.length === 2),
      'every image by default',
    );
    for (const images of [0, 31]) {
      const r = await t.call(q, { first: 1, images });
      assert.deepEqual(codes(r), ['BAD_USER_INPUT']);
      assert.equal(r.errors![0]!.extensions!.field, 'first');
    }
  });
});
