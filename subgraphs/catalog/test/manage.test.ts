import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Identity } from '@fashionistar/shared';
import { seedCategoryId } from '../src/seed/seed';
import { codes, person, startTestCatalog, type TestCatalog } from './helpers';

const CREATE = `mutation($i: CreateProductInput!) { createProduct(input: $i) { id slug status price { amount currency } variants { sku size price { amount } } images { url position } } }`;
const PUBLIC_ONE = `query($id: ID!) { product(id: $id) { id status } }`;

describe('catalog: vendors manage their products', () => {
  let t: TestCatalog;
  let owner: Identity;
  let other: Identity;
  let storeId: string;
  const admin: Identity = { ...person(['ADMIN']) };
  const input = (patch: Record<string, unknown> = {}) => ({
    title: 'Royal Ankara Agbada',
    description: 'Hand-finished in Lagos.',
    price: '12500.00',
    categoryId: seedCategoryId('men-agbada'),
    stock: 5,
    tags: ['Ankara', 'owambe'],
    variants: [
      { size: 'M', colour: 'Gold' },
      { size: 'L', colour: 'Gold', priceDelta: '1000' },
    ],
    images: [{ url: 'https://img.fashionistar.test/x/1.jpg', alt: 'front' }],
    ...patch,
  });

  before(async () => {
    t = await startTestCatalog();
    owner = person();
    other = person();
    storeId = randomUUID();
    t.stores[storeId] = { status: 'PENDING', members: { [owner.userId]: 'OWNER' } };
    t.stores[randomUUID()] = { status: 'APPROVED', members: { [other.userId]: 'OWNER' } };
  });
  after(() => t.stop());

  it('creates a DRAFT in the caller store, even a PENDING one, with money as decimal strings', async () => {
    const d = await t.ok<{
      createProduct: {
        id: string;
        slug: string;
        status: string;
        price: { amount: string; currency: string };
        variants: Array<{ sku: string; price: { amount: string } }>;
      };
    }>(CREATE, { i: input() }, owner);
    assert.equal(d.createProduct.status, 'DRAFT');
    assert.deepEqual(d.createProduct.price, { amount: '12500.00', currency: 'NGN' });
    assert.equal(d.createProduct.slug, 'royal-ankara-agbada');
    assert.deepEqual(
      d.createProduct.variants.map((v) => v.price.amount),
      ['12500.00', '13500.00'],
    );
    const [row] = await t.sql<{ price_kobo: string; vendor_id: string; tags: string[] }>(
      `SELECT price_kobo, vendor_id, tags FROM product WHERE id = $1`,
      [d.createProduct.id],
    );
    assert.deepEqual(row, { price_kobo: '1250000', vendor_id: storeId, tags: ['ankara', 'owambe'] });
    const again = await t.ok<{ createProduct: { slug: string } }>(CREATE, { i: input() }, owner);
    assert.match(again.createProduct.slug, /^royal-ankara-agbada-[0-9a-f]{6}$/, 'slugs stay unique');
  });

  it('refuses bad input with the field named, writing nothing', async () => {
    const before = await t.sql<{ n: string }>(`SELECT count(*) AS n FROM product`);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ price: '-5.00' }, 'input.price'],
      [{ price: '0' }, 'input.price'],
      [{ price: '12.345' }, 'input.price'],
      [{ categoryId: randomUUID() }, 'input.categoryId'],
      [{ categoryId: 'nope' }, 'input.categoryId'],
      [{ title: 'x' }, 'input.title'],
      [{ oldPrice: '100.00' }, 'input.oldPrice'],
      [{ stock: -1 }, 'input.stock'],
      [{ images: [{ url: 'javascript:alert(1)' }] }, 'input.images.0.url'],
      [{ variants: [{ size: 'M', priceDelta: '-20000' }] }, 'input.variants.0.priceDelta'],
    ];
    for (const [patch, field] of cases) {
      const r = await t.call(CREATE, { i: input(patch) }, owner);
      assert.deepEqual(codes(r), ['BAD_USER_INPUT'], JSON.stringify(patch));
      assert.equal(r.errors![0]!.extensions!.field, field, JSON.stringify(patch));
    }
    const afterCount = await t.sql<{ n: string }>(`SELECT count(*) AS n FROM product`);
    assert.equal(afterCount[0]!.n, before[0]!.n);
  });

  it('needs a store: anonymous is UNAUTHENTICATED, a user without a store FORBIDDEN', async () => {
    assert.deepEqual(codes(await t.call(CREATE, { i: input() })), ['UNAUTHENTICATED']);
    assert.deepEqual(codes(await t.call(CREATE, { i: input() }, person(['CUSTOMER']))), ['FORBIDDEN']);
  });

  it('publishes only from an APPROVED store, decided against the vendors subgraph at once', async () => {
    const { createProduct: p } = await t.ok<{ createProduct: { id: string } }>(CREATE, { i: input({ title: 'Adire Silk Kaftan' }) }, owner);
    assert.equal((await t.ok<{ product: null }>(PUBLIC_ONE, { id: p.id })).product, null, 'drafts are hidden from the public');
    assert.equal(
      (await t.ok<{ product: { status: string } }>(PUBLIC_ONE, { id: p.id }, owner)).product.status,
      'DRAFT',
      'members see drafts',
    );
    const refused = await t.call(`mutation($id: ID!) { publishProduct(id: $id) { id } }`, { id: p.id }, owner);
    assert.deepEqual(codes(refused), ['FORBIDDEN']);
    t.stores[storeId]!.status = 'APPROVED';
    const ok = await t.ok<{ publishProduct: { status: string } }>(
      `mutation($id: ID!) { publishProduct(id: $id) { status } }`,
      { id: p.id },
      owner,
    );
    assert.equal(ok.publishProduct.status, 'PUBLISHED');
    assert.equal((await t.ok<{ product: { status: string } }>(PUBLIC_ONE, { id: p.id })).product.status, 'PUBLISHED');
    const found = await t.ok<{ products: { edges: Array<{ node: { id: string } }> } }>(
      `{ products(filter: { search: "adire kaftan" }) { edges { node { id } } } }`,
    );
    assert.ok(
      found.products.edges.some((e) => e.node.id === p.id),
      'searchable at once',
    );
    assert.ok(
      t.seenByVendors.some((i) => i?.userId === owner.userId),
      'the caller identity was forwarded to vendors',
    );
    const events = await t.sql<{ type: string }>(`SELECT type FROM outbox_event WHERE payload->>'productId' = $1`, [p.id]);
    assert.deepEqual(
      events.map((e) => e.type),
      ['catalog.product.published'],
    );
  });

  it("forbids touching another store's products", async () => {
    const { createProduct: p } = await t.ok<{ createProduct: { id: string; variants: Array<{ sku: string }> } }>(
      CREATE,
      { i: input({ title: 'Lace Iro and Buba' }) },
      owner,
    );
    for (const [q, v] of [
      [`mutation($id: ID!) { updateProduct(id: $id, input: { title: "Stolen" }) { id } }`, { id: p.id }],
      [`mutation($id: ID!) { publishProduct(id: $id) { id } }`, { id: p.id }],
      [`mutation($id: ID!) { archiveProduct(id: $id) { id } }`, { id: p.id }],
      [`mutation($id: ID!) { addVariant(productId: $id, input: { size: "S" }) { id } }`, { id: p.id }],
      [`mutation($id: ID!) { adjustStock(input: { productId: $id, delta: 5, reason: "x" }) { id } }`, { id: p.id }],
    ] as const) {
      assert.deepEqual(codes(await t.call(q, v, other)), ['FORBIDDEN'], q);
    }
    const updated = await t.ok<{ updateProduct: { title: string; slug: string } }>(
      `mutation($id: ID!) { updateProduct(id: $id, input: { title: "Lace Iro Set" }) { title slug } }`,
      { id: p.id },
      admin,
    );
    assert.deepEqual(updated.updateProduct, { title: 'Lace Iro Set', slug: 'lace-iro-and-buba' }, 'admins may edit; slugs are stable');
  });

  it('adjusts stock with a reason through a ledger, never below zero', async () => {
    const { createProduct: p } = await t.ok<{ createProduct: { id: string } }>(
      CREATE,
      { i: input({ title: 'Kente Stole', variants: [] }) },
      owner,
    );
    const adjust = (delta: number, reason = 'count') =>
      t.call<{ adjustStock: { stock: number } }>(
        `mutation($i: AdjustStockInput!) { adjustStock(input: $i) { stock } }`,
        { i: { productId: p.id, delta, reason } },
        owner,
      );
    assert.equal((await adjust(3, 'restock')).data!.adjustStock.stock, 8);
    const tooMuch = await adjust(-9);
    assert.deepEqual(codes(tooMuch), ['BAD_USER_INPUT']);
    assert.equal(tooMuch.errors![0]!.extensions!.field, 'input.delta');
    await Promise.all(Array.from({ length: 8 }, () => adjust(-1, 'sold')));
    assert.equal(
      (
        await t.ok<{ product: { stock: number; inStock: boolean } }>(
          `query($id: ID!) { product(id: $id) { stock inStock } }`,
          { id: p.id },
          owner,
        )
      ).product.stock,
      0,
    );
    const ledger = await t.sql<{ delta: number; resulting_stock: number; reason: string }>(
      `SELECT delta, resulting_stock, reason FROM stock_movement WHERE product_id = $1 ORDER BY created_at, resulting_stock DESC`,
      [p.id],
    );
    assert.equal(ledger.length, 10, 'initial stock, a restock, a refused change (not written) and 8 sales');
    assert.equal(ledger[0]!.reason, 'initial stock');
    assert.equal(
      ledger.reduce((sum, r) => sum + r.delta, 0),
      0,
      'the ledger adds up to the stock',
    );
    assert.ok(ledger.every((r) => r.resulting_stock >= 0));
  });

  it('keeps every variant price above zero when the product price drops', async () => {
    const { createProduct: p } = await t.ok<{ createProduct: { id: string } }>(
      CREATE,
      { i: input({ title: 'Aso-Oke Cap', price: '10000', variants: [{ size: 'S', priceDelta: '-9000' }] }) },
      owner,
    );
    const r = await t.call(`mutation($id: ID!) { updateProduct(id: $id, input: { price: "500.00" }) { id } }`, { id: p.id }, owner);
    assert.deepEqual(codes(r), ['BAD_USER_INPUT']);
    assert.equal(r.errors![0]!.extensions!.field, 'input.price');
    const [row] = await t.sql<{ price_kobo: string }>(`SELECT price_kobo FROM product WHERE id = $1`, [p.id]);
    assert.equal(row!.price_kobo, '1000000', 'nothing written');
    await t.ok(`mutation($id: ID!) { updateProduct(id: $id, input: { price: "9500.00" }) { id } }`, { id: p.id }, owner);
  });

  it('counts one view per product and client address in a window', async () => {
    const { createProduct: p } = await t.ok<{ createProduct: { id: string } }>(CREATE, { i: input({ title: 'Viewed Kaftan' }) }, owner);
    await t.ok(`mutation($id: ID!) { publishProduct(id: $id) { id } }`, { id: p.id }, owner);
    for (let i = 0; i < 5; i++) await t.ok(`mutation($id: ID!) { recordProductView(id: $id) }`, { id: p.id });
    const [row] = await t.sql<{ view_count: string }>(`SELECT view_count FROM product WHERE id = $1`, [p.id]);
    assert.equal(row!.view_count, '1');
  });

  it('lets admins hide a product with a reason (moderation after the fact)', async () => {
    const { createProduct: p } = await t.ok<{ createProduct: { id: string } }>(CREATE, { i: input({ title: 'Velvet Gele' }) }, owner);
    await t.ok(`mutation($id: ID!) { publishProduct(id: $id) { id } }`, { id: p.id }, owner);
    assert.deepEqual(
      codes(await t.call(`mutation($id: ID!) { moderateProduct(id: $id, action: HIDE, reason: "copy") { id } }`, { id: p.id }, owner)),
      ['FORBIDDEN'],
    );
    assert.deepEqual(codes(await t.call(`mutation($id: ID!) { moderateProduct(id: $id, action: HIDE) { id } }`, { id: p.id }, admin)), [
      'BAD_USER_INPUT',
    ]);
    await t.ok(`mutation($id: ID!) { moderateProduct(id: $id, action: HIDE, reason: "Counterfeit brand") { id } }`, { id: p.id }, admin);
    assert.equal((await t.ok<{ product: null }>(PUBLIC_ONE, { id: p.id })).product, null);
    const seen = await t.ok<{ product: { moderation: string; moderationReason: string } }>(
      `query($id: ID!) { product(id: $id) { moderation moderationReason } }`,
      { id: p.id },
      owner,
    );
    assert.deepEqual(seen.product, { moderation: 'HIDDEN', moderationReason: 'Counterfeit brand' });
  });

  it('lets admins create and edit categories, brands and collections, keeping the tree a tree', async () => {
    const create = `mutation($i: CategoryInput!) { createCategory(input: $i) { id slug depth parent { id } } }`;
    assert.deepEqual(codes(await t.call(create, { i: { name: 'Bridal' } }, owner)), ['FORBIDDEN']);
    const top = (await t.ok<{ createCategory: { id: string; slug: string } }>(create, { i: { name: 'Bridal Wear' } }, admin))
      .createCategory;
    assert.equal(top.slug, 'bridal-wear');
    const child = (
      await t.ok<{ createCategory: { id: string; parent: { id: string } } }>(
        create,
        { i: { name: 'Bridal Gele', parentId: top.id } },
        admin,
      )
    ).createCategory;
    assert.equal(child.parent.id, top.id);
    assert.deepEqual(codes(await t.call(create, { i: { name: 'Bridal Wear' } }, admin)), ['CONFLICT']);
    const move = `mutation($id: ID!, $i: UpdateCategoryInput!) { updateCategory(id: $id, input: $i) { id name slug parent { id } } }`;
    const cycle = await t.call(move, { id: top.id, i: { parentId: child.id } }, admin);
    assert.deepEqual(codes(cycle), ['BAD_USER_INPUT'], 'no category under its own descendant');
    assert.equal(cycle.errors![0]!.extensions!.field, 'input.parentId');
    const renamed = await t.ok<{ updateCategory: { name: string; slug: string; parent: null } }>(
      move,
      { id: child.id, i: { name: 'Gele for Brides', parentId: null } },
      admin,
    );
    assert.deepEqual(
      { name: renamed.updateCategory.name, slug: renamed.updateCategory.slug, parent: renamed.updateCategory.parent },
      { name: 'Gele for Brides', slug: 'bridal-gele', parent: null },
    );
    const brand = (await t.ok<{ createBrand: { id: string } }>(`mutation { createBrand(input: { name: "Lekki Lace" }) { id } }`, {}, admin))
      .createBrand;
    const b = await t.ok<{ updateBrand: { name: string; logoUrl: string } }>(
      `mutation($id: ID!) { updateBrand(id: $id, input: { name: "Lekki Lace Co", logoUrl: "https://img.fashionistar.test/b.png" }) { name logoUrl } }`,
      { id: brand.id },
      admin,
    );
    assert.deepEqual(b.updateBrand, { name: 'Lekki Lace Co', logoUrl: 'https://img.fashionistar.test/b.png' });
    const col = (
      await t.ok<{ createCollection: { id: string; slug: string } }>(
        `mutation { createCollection(input: { name: "Wedding Guest" }) { id slug } }`,
        {},
        admin,
      )
    ).createCollection;
    await t.ok(`mutation($id: ID!) { updateCollection(id: $id, input: { active: false }) { id } }`, { id: col.id }, admin);
    const listed = await t.ok<{ collections: Array<{ slug: string }> }>(`{ collections { slug } }`);
    assert.ok(!listed.collections.some((c) => c.slug === col.slug), 'inactive collections leave the storefront');
    assert.deepEqual(codes(await t.call(`mutation { updateBrand(id: "nope", input: { name: "x" }) { id } }`, {}, admin)), ['NOT_FOUND']);
  });

  it('answers other subgraphs who sells a product', async () => {
    const { createProduct: p } = await t.ok<{ createProduct: { id: string } }>(CREATE, { i: input({ title: 'Batik Tote Bag' }) }, owner);
    const d = await t.ok<{ productOwners: Array<{ productId: string; vendorId: string; status: string; visible: boolean }> }>(
      `query($ids: [ID!]!) { productOwners(ids: $ids) { productId vendorId status visible } }`,
      { ids: [p.id, randomUUID(), 'junk'] },
    );
    assert.deepEqual(d.productOwners, [{ productId: p.id, vendorId: storeId, status: 'DRAFT', visible: false }]);
  });
});
