import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Identity } from '@fashionistar/shared';
import { seedCategoryId } from '../src/seed/seed';
import { codes, person, startTestCatalog, type TestCatalog } from './helpers';

const CREATE = `mutation($i: CreateProductInput!) { createProduct(input: $i) { id variants { id sku size } } }`;
const ADJUST = `mutation($i: AdjustStockInput!) { adjustStock(input: $i) { stock } }`;

interface Page {
  totalCount: number;
  edges: Array<{ cursor: string; node: { id: string; totalStock: number } }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

describe('catalog: the vendor dashboard’s product table and stock movements', () => {
  let t: TestCatalog;
  let storeId: string;
  let owner: Identity;
  let staff: Identity;
  let outsider: Identity;
  const admin = person(['ADMIN']);
  // Products by name: created in this order (NEWEST lists them backwards).
  const ids: Record<'zobo' | 'adire' | 'buba' | 'kente' | 'lace', string> = { zobo: '', adire: '', buba: '', kente: '', lace: '' };
  const variantIds: Record<string, string> = {};

  const make = async (title: string, price: string, stock: number, variants: Array<Record<string, unknown>> = []) => {
    const d = await t.ok<{ createProduct: { id: string; variants: Array<{ id: string; size: string }> } }>(
      CREATE,
      { i: { title, description: 'Made in Lagos.', price, categoryId: seedCategoryId('men-agbada'), stock, variants } },
      owner,
    );
    for (const v of d.createProduct.variants) variantIds[`${title}:${v.size}`] = v.id;
    return d.createProduct.id;
  };
  const as = (id: string, args: string, who: Identity | null, fields = 'id totalStock') =>
    t.call<{ _entities: Array<{ products: Page }> }>(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Vendor { products(${args}) {
         totalCount edges { cursor node { ${fields} } } pageInfo { hasNextPage endCursor } } } } }`,
      { r: [{ __typename: 'Vendor', id }] },
      who,
    );
  const list = async (args: string, who: Identity | null = owner) => {
    const r = await as(storeId, args, who);
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    return r.data!._entities[0]!.products;
  };
  const names = (page: Page) => page.edges.map((e) => Object.entries(ids).find(([, id]) => id === e.node.id)?.[0] ?? e.node.id);

  before(async () => {
    t = await startTestCatalog();
    owner = person();
    staff = person();
    outsider = person();
    storeId = randomUUID();
    t.stores[storeId] = { status: 'APPROVED', members: { [owner.userId]: 'OWNER', [staff.userId]: 'STAFF' } };
    t.stores[randomUUID()] = { status: 'APPROVED', members: { [outsider.userId]: 'OWNER' } };
    const publish = (id: string) => t.ok(`mutation($id: ID!) { publishProduct(id: $id) { id } }`, { id }, owner);

    ids.zobo = await make('Zobo Kaftan', '5000', 10);
    await publish(ids.zobo);
    ids.adire = await make('adire Boubou', '20000', 0, [
      { size: 'M', sku: 'ADIRE-M', stock: 3 },
      { size: 'L', sku: 'ADIRE-L', stock: 9 },
    ]);
    ids.buba = await make('Buba Set', '12000', 2);
    await publish(ids.buba);
    await t.ok(`mutation($id: ID!) { archiveProduct(id: $id) { id } }`, { id: ids.buba }, owner);
    ids.kente = await make('Kente_Stole 100%', '8000', 0, [
      { size: 'S', sku: 'KEN-S', stock: 20 },
      { size: 'XS', sku: 'KEN-XS', stock: 1 },
    ]);
    await t.ok(`mutation($id: ID!) { removeVariant(id: $id) }`, { id: variantIds['Kente_Stole 100%:XS'] }, owner);
    await publish(ids.kente);
    await t.ok(`mutation($id: ID!) { moderateProduct(id: $id, action: HIDE, reason: "Check the label") { id } }`, { id: ids.kente }, admin);
    ids.lace = await make('Lace Iro', '15000', 7);
    await publish(ids.lace);
  });
  after(() => t.stop());

  it('shows members and admins every status, newest first, with status filter and totalStock', async () => {
    for (const who of [owner, staff, admin]) {
      const all = await list('first: 20', who);
      assert.deepEqual(names(all), ['lace', 'kente', 'buba', 'adire', 'zobo']);
      assert.equal(all.totalCount, 5);
    }
    const all = await list('first: 20');
    assert.deepEqual(
      all.edges.map((e) => e.node.totalStock),
      [7, 20, 2, 12, 10],
      'own stock plus variants on sale (the removed XS not counted)',
    );
    assert.deepEqual(names(await list('status: DRAFT')), ['adire']);
    assert.deepEqual(names(await list('status: ARCHIVED')), ['buba']);
    assert.deepEqual(names(await list('status: PUBLISHED')), ['lace', 'kente', 'zobo'], 'hidden by an admin, still listed for members');
  });

  it('sorts by name, price and stock', async () => {
    assert.deepEqual(names(await list('sort: NAME')), ['adire', 'buba', 'kente', 'lace', 'zobo'], 'case-insensitive');
    assert.deepEqual(names(await list('sort: PRICE_ASC')), ['zobo', 'kente', 'buba', 'lace', 'adire']);
    assert.deepEqual(names(await list('sort: PRICE_DESC')), ['adire', 'lace', 'buba', 'kente', 'zobo']);
    assert.deepEqual(names(await list('sort: STOCK_ASC')), ['buba', 'lace', 'zobo', 'adire', 'kente']);
    assert.deepEqual(names(await list('sort: STOCK_DESC')), ['kente', 'adire', 'zobo', 'lace', 'buba']);
  });

  it('filters the products running low: any variant on sale at 5 or fewer, or the own stock without variants', async () => {
    const low = await list('lowStock: true');
    assert.deepEqual(names(low), ['buba', 'adire'], 'buba has 2 units, adire a size M with 3; kente’s low XS is removed');
    assert.equal(low.totalCount, 2);
    assert.deepEqual(names(await list('lowStock: false')), ['lace', 'kente', 'zobo']);
    await t.ok(ADJUST, { i: { productId: ids.lace, delta: -2, reason: 'sold' } }, owner);
    assert.deepEqual(names(await list('lowStock: true, sort: NAME')), ['adire', 'buba', 'lace'], 'at the threshold counts as low');
    await t.ok(ADJUST, { i: { productId: ids.lace, delta: 2, reason: 'returned' } }, owner);
  });

  it('searches titles and SKUs of variants on sale, wildcards taken literally', async () => {
    assert.deepEqual(names(await list('search: "ADIRE"')), ['adire']);
    assert.deepEqual(names(await list('search: "ken-s"')), ['kente']);
    assert.deepEqual(names(await list('search: "adire-l"')), ['adire']);
    assert.deepEqual(names(await list('search: "KEN-XS"')), [], 'a removed variant’s SKU finds nothing');
    assert.deepEqual(names(await list('search: "%"')), ['kente']);
    assert.deepEqual(names(await list('search: "_"')), ['kente']);
    assert.deepEqual(names(await list('search: "  "')), ['lace', 'kente', 'buba', 'adire', 'zobo'], 'blank is no search');
    const long = await as(storeId, `search: "${'x'.repeat(101)}"`, owner);
    assert.deepEqual(codes(long), ['BAD_USER_INPUT']);
    assert.equal(long.errors![0]!.extensions!.field, 'search');
  });

  it('pages with keyset cursors in every sort, and refuses a cursor of another sort', async () => {
    for (const sort of ['NEWEST', 'NAME', 'PRICE_ASC', 'PRICE_DESC', 'STOCK_ASC', 'STOCK_DESC']) {
      const whole = names(await list(`sort: ${sort}`));
      const seen: string[] = [];
      let after: string | null = null;
      for (let i = 0; i < 5; i++) {
        const page: Page = await list(`first: 2, sort: ${sort}${after ? `, after: "${after}"` : ''}`);
        seen.push(...names(page));
        assert.equal(page.totalCount, 5);
        if (!page.pageInfo.hasNextPage) break;
        after = page.pageInfo.endCursor;
      }
      assert.deepEqual(seen, whole, sort);
    }
    const byName = await list('first: 2, sort: NAME');
    const wrong = await as(storeId, `first: 2, sort: PRICE_ASC, after: "${byName.pageInfo.endCursor}"`, owner);
    assert.deepEqual(codes(wrong), ['BAD_USER_INPUT']);
    assert.equal(wrong.errors![0]!.extensions!.field, 'after');
  });

  it('shows everyone else the visible products only, with the same filters', async () => {
    for (const who of [outsider, null]) {
      assert.deepEqual(names(await list('first: 20', who)), ['lace', 'zobo']);
      assert.deepEqual(names(await list('sort: NAME', who)), ['lace', 'zobo']);
      assert.deepEqual(names(await list('sort: PRICE_DESC, search: "o"', who)), ['lace', 'zobo']);
      assert.deepEqual(names(await list('status: DRAFT', who)), []);
      assert.deepEqual(names(await list('lowStock: true', who)), []);
      const page = await list('first: 1', who);
      assert.deepEqual(names(await list(`first: 1, after: "${page.pageInfo.endCursor}"`, who)), ['zobo']);
    }
  });

  it('lists a product’s stock movements newest first for members and admins, with variant and actor', async () => {
    const [m, l] = [variantIds['adire Boubou:M']!, variantIds['adire Boubou:L']!];
    await t.ok(ADJUST, { i: { productId: ids.adire, variantId: m, delta: -1, reason: 'sold' } }, owner);
    await t.ok(ADJUST, { i: { productId: ids.adire, variantId: l, delta: 2, reason: 'restock' } }, staff);
    const xl = (
      await t.ok<{ addVariant: { id: string } }>(
        `mutation($id: ID!) { addVariant(productId: $id, input: { size: "XL", stock: 4 }) { id } }`,
        { id: ids.adire },
        owner,
      )
    ).addVariant.id;
    await t.ok(`mutation($id: ID!) { removeVariant(id: $id) }`, { id: xl }, staff);

    type Movements = {
      totalCount: number;
      edges: Array<{
        node: { delta: number; resultingStock: number; reason: string; variant: { id: string; removedAt: string | null } | null };
      }>;
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
    };
    const Q = `query($id: ID!, $first: Int, $after: String, $v: ID) { product(id: $id) { id stockMovements(first: $first, after: $after, variantId: $v) {
      totalCount edges { node { delta resultingStock reason createdAt variant { id removedAt } actor { id } } } pageInfo { hasNextPage endCursor } } } }`;
    const read = async (vars: Record<string, unknown>, who: Identity = owner) =>
      (await t.ok<{ product: { stockMovements: Movements } }>(Q, { id: ids.adire, ...vars }, who)).product.stockMovements;

    const all = await read({});
    assert.equal(all.totalCount, 6);
    assert.deepEqual(
      all.edges.slice(0, 4).map((e) => [e.node.delta, e.node.resultingStock, e.node.reason, e.node.variant?.id]),
      [
        [-4, 0, 'variant removed', xl],
        [4, 4, 'initial stock', xl],
        [2, 11, 'restock', l],
        [-1, 2, 'sold', m],
      ],
    );
    assert.ok(all.edges[0]!.node.variant!.removedAt, 'a removed variant still resolves, with when it was removed');
    const raw = await t.ok<{ product: { stockMovements: { edges: Array<{ node: { actor: { id: string } | null } }> } } }>(
      Q,
      { id: ids.adire, first: 4 },
      admin,
    );
    assert.deepEqual(
      raw.product.stockMovements.edges.map((e) => e.node.actor?.id),
      [staff.userId, owner.userId, staff.userId, owner.userId],
      'actors as User references',
    );

    const onlyM = await read({ v: m });
    assert.deepEqual(
      onlyM.edges.map((e) => [e.node.delta, e.node.reason]),
      [
        [-1, 'sold'],
        [3, 'initial stock'],
      ],
    );
    assert.equal(onlyM.totalCount, 2);

    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: Movements = await read({ first: 4, after });
      seen.push(...page.edges.map((e) => `${e.node.delta}:${e.node.reason}:${e.node.variant?.id}`));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    assert.deepEqual(
      seen,
      all.edges.map((e) => `${e.node.delta}:${e.node.reason}:${e.node.variant?.id}`),
      'pages add up to the list',
    );
    assert.deepEqual(codes(await t.call(Q, { id: ids.adire, after: 'bad' }, owner)), ['BAD_USER_INPUT']);
  });

  it('answers the public null with FORBIDDEN on stockMovements only, the product kept', async () => {
    const Q = `query($id: ID!) { product(id: $id) { id title stockMovements { totalCount } } }`;
    const r = await t.call<{ product: { id: string; stockMovements: null } }>(Q, { id: ids.zobo }, outsider);
    assert.deepEqual(codes(r), ['FORBIDDEN']);
    assert.deepEqual((r.errors![0] as { path?: unknown }).path, ['product', 'stockMovements']);
    assert.deepEqual(r.data!.product, { id: ids.zobo, title: 'Zobo Kaftan', stockMovements: null });
    const anonymous = await t.call<{ product: { stockMovements: null } }>(Q, { id: ids.zobo });
    assert.deepEqual(codes(anonymous), ['UNAUTHENTICATED']);
    assert.equal(anonymous.data!.product.stockMovements, null);
    const mine = await t.ok<{ product: { stockMovements: { totalCount: number } } }>(Q, { id: ids.zobo }, staff);
    assert.equal(mine.product.stockMovements.totalCount, 1, 'the initial stock');
  });

  it('stays N+1-free: a dashboard page with movements per row runs as many statements for 3 rows as for 5', async () => {
    const fields = `id totalStock variants { id } images { url } stockMovements(first: 3) { totalCount edges { node { delta variant { id removedAt } actor { id } } } }`;
    // Both sorts put products with variants among the first 3, so the same loaders run for 3 and 5 rows.
    for (const sort of ['NEWEST', 'STOCK_DESC']) {
      const three = await as(storeId, `first: 3, sort: ${sort}`, owner, fields);
      const five = await as(storeId, `first: 5, sort: ${sort}`, owner, fields);
      assert.equal(three.errors, undefined, JSON.stringify(three.errors));
      assert.equal(five.errors, undefined, JSON.stringify(five.errors));
      assert.equal(five.data!._entities[0]!.products.edges.length, 5);
      assert.ok(three.sqlStatements > 0);
      assert.equal(five.sqlStatements, three.sqlStatements, `${sort}: 3 rows → ${three.sqlStatements}, 5 rows → ${five.sqlStatements}`);
    }
  });
});
