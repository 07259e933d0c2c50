import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Identity } from '@fashionistar/shared';
import { seedCategoryId } from '../src/seed/seed';
import { codes, person, startTestCatalog, type TestCatalog } from './helpers';

interface Variant {
  id: string;
  sku: string;
  size: string | null;
  colour: string | null;
  stock: number;
}
const VARIANT = `id sku size colour stock`;
const CREATE = `mutation($i: CreateProductInput!) { createProduct(input: $i) { id variants { ${VARIANT} } } }`;
const ADD = `mutation($id: ID!, $i: VariantInput!) { addVariant(productId: $id, input: $i) { ${VARIANT} } }`;
const REMOVE = `mutation($id: ID!) { removeVariant(id: $id) }`;
const ADJUST = `mutation($i: AdjustStockInput!) { adjustStock(input: $i) { stock } }`;
const UPDATE_VARIANT = `mutation($id: ID!, $i: UpdateVariantInput!) { updateVariant(id: $id, input: $i) { id } }`;
const UPDATE_PRODUCT = `mutation($id: ID!, $i: UpdateProductInput!) { updateProduct(id: $id, input: $i) { id } }`;
const STOREFRONT_ONE = `query($id: ID!) { product(id: $id) { inStock variants { ${VARIANT} } } }`;
const LIST = `query($f: ProductFilter) { products(first: 100, filter: $f) { edges { node { id } } } }`;

describe('catalog: the stock ledger always adds up', () => {
  let t: TestCatalog;
  let owner: Identity;
  let storeId: string;
  const input = (patch: Record<string, unknown> = {}) => ({
    title: 'Adire Kaftan',
    description: 'Indigo-dyed in Abeokuta.',
    price: '10000.00',
    categoryId: seedCategoryId('men-agbada'),
    stock: 0,
    variants: [],
    ...patch,
  });
  const create = async (patch: Record<string, unknown>) =>
    (await t.ok<{ createProduct: { id: string; variants: Variant[] } }>(CREATE, { i: input(patch) }, owner)).createProduct;
  const adjust = (productId: string, variantId: string | null, delta: number) =>
    t.ok(ADJUST, { i: { productId, variantId, delta, reason: 'count' } }, owner);
  const publish = (id: string) => t.ok(`mutation($id: ID!) { publishProduct(id: $id) { id } }`, { id }, owner);
  const listIds = async (f: Record<string, unknown>) =>
    (await t.ok<{ products: { edges: Array<{ node: { id: string } }> } }>(LIST, { f: { vendorId: storeId, ...f } })).products.edges.map(
      (e) => e.node.id,
    );

  before(async () => {
    t = await startTestCatalog();
    owner = person();
    storeId = randomUUID();
    t.stores[storeId] = { status: 'APPROVED', members: { [owner.userId]: 'OWNER' } };
  });
  after(() => t.stop());

  it('sums the ledger per product and per variant to the stock, through add, adjust, remove and re-add', async () => {
    const p = await create({
      stock: 5,
      variants: [
        { size: 'M', colour: 'Indigo', stock: 3 },
        { size: 'L', colour: 'Indigo', sku: 'ADIRE-L', stock: 2 },
      ],
    });
    const [m, l] = p.variants as [Variant, Variant];
    await adjust(p.id, null, 2);
    await adjust(p.id, m.id, -1);
    await adjust(p.id, l.id, 4);
    const xl = (await t.ok<{ addVariant: Variant }>(ADD, { id: p.id, i: { size: 'XL', colour: 'Indigo', stock: 7 } }, owner)).addVariant;
    assert.equal(await t.ok<{ removeVariant: boolean }>(REMOVE, { id: l.id }, owner).then((d) => d.removeVariant), true);
    const again = (
      await t.ok<{ addVariant: Variant }>(ADD, { id: p.id, i: { size: 'L', colour: 'Indigo', sku: 'ADIRE-L', stock: 1 } }, owner)
    ).addVariant;
    assert.notEqual(again.id, l.id, 're-adding the same options and SKU makes a new variant');

    const stocks = await t.sql<{ id: string; stock: number; removed: boolean }>(
      `SELECT id, stock, removed_at IS NOT NULL AS removed FROM variant WHERE product_id = $1`,
      [p.id],
    );
    const sums = await t.sql<{ variant_id: string | null; sum: number; n: number }>(
      `SELECT variant_id, sum(delta)::int AS sum, count(*)::int AS n FROM stock_movement WHERE product_id = $1 GROUP BY variant_id`,
      [p.id],
    );
    const sumOf = (variantId: string | null) => sums.find((s) => s.variant_id === variantId)?.sum ?? 0;
    const [product] = await t.sql<{ stock: number }>(`SELECT stock FROM product WHERE id = $1`, [p.id]);
    assert.equal(product!.stock, 7);
    assert.equal(sumOf(null), 7, "the product's own movements add up to its stock");
    assert.deepEqual(
      Object.fromEntries(stocks.map((v) => [v.id, v.stock])),
      { [m.id]: 2, [l.id]: 0, [xl.id]: 7, [again.id]: 1 },
      'the removed variant holds no stock',
    );
    for (const v of stocks) assert.equal(sumOf(v.id), v.stock, `variant ${v.id} (removed: ${v.removed}) adds up`);
    assert.equal(sums.find((s) => s.variant_id === l.id)?.n, 3, 'initial, restock and removal stay on the removed variant');
    const [last] = await t.sql<{ delta: number; resulting_stock: number; reason: string }>(
      `SELECT delta, resulting_stock, reason FROM stock_movement WHERE variant_id = $1 ORDER BY created_at DESC LIMIT 1`,
      [l.id],
    );
    assert.deepEqual(last, { delta: -6, resulting_stock: 0, reason: 'variant removed' });

    // The removed variant is gone for writes too, and its history cannot be deleted or re-filed.
    assert.deepEqual(codes(await t.call(REMOVE, { id: l.id }, owner)), ['NOT_FOUND']);
    assert.deepEqual(codes(await t.call(UPDATE_VARIANT, { id: l.id, i: { size: 'S' } }, owner)), ['NOT_FOUND']);
    assert.deepEqual(codes(await t.call(ADJUST, { i: { productId: p.id, variantId: l.id, delta: 1, reason: 'x' } }, owner)), ['NOT_FOUND']);
    await assert.rejects(t.sql(`DELETE FROM variant WHERE id = $1`, [l.id]), /stock_movement_variant_id_fkey/);
  });

  it('keeps removed variants out of the storefront product, inStock, sizes and colours', async () => {
    const p = await create({ variants: [{ size: 'XXS', colour: 'Ochre', stock: 3 }] });
    const [only] = p.variants as [Variant];
    await publish(p.id);
    const before = await t.ok<{ product: { inStock: boolean; variants: Variant[] } }>(STOREFRONT_ONE, { id: p.id });
    assert.deepEqual([before.product.inStock, before.product.variants.map((v) => v.id)], [true, [only.id]]);
    assert.ok((await listIds({ inStock: true })).includes(p.id));
    assert.ok((await listIds({ sizes: ['xxs'] })).includes(p.id));
    assert.ok((await listIds({ colours: ['ochre'] })).includes(p.id));

    await t.ok(REMOVE, { id: only.id }, owner);
    const afterRemoval = await t.ok<{ product: { inStock: boolean; variants: Variant[] } }>(STOREFRONT_ONE, { id: p.id });
    assert.deepEqual(afterRemoval.product, { inStock: false, variants: [] });
    assert.ok(!(await listIds({ inStock: true })).includes(p.id), 'no stock left once the variant is removed');
    assert.ok((await listIds({ inStock: false })).includes(p.id));
    assert.ok(!(await listIds({ sizes: ['xxs'] })).includes(p.id));
    assert.ok(!(await listIds({ colours: ['ochre'] })).includes(p.id));
    const [row] = await t.sql<{ removed: boolean }>(`SELECT removed_at IS NOT NULL AS removed FROM variant WHERE id = $1`, [only.id]);
    assert.equal(row?.removed, true, 'the row stays for the ledger');
  });

  it("lets the price drop below a removed variant's negative delta", async () => {
    const p = await create({ variants: [{ size: 'S', priceDelta: '-9000' }] });
    const low = { id: p.id, i: { price: '500.00' } };
    assert.deepEqual(codes(await t.call(UPDATE_PRODUCT, low, owner)), ['BAD_USER_INPUT'], 'the live variant guards the price');
    await t.ok(REMOVE, { id: p.variants[0]!.id }, owner);
    await t.ok(UPDATE_PRODUCT, low, owner);
  });

  it('holds price + priceDelta > 0 under concurrent updateVariant and updateProduct', async () => {
    const p = await create({ variants: [{ size: 'M' }, { size: 'L' }] });
    const ids = p.variants.map((v) => v.id);
    for (let round = 0; round < 8; round++) {
      await t.sql(`UPDATE product SET price_kobo = 1000000 WHERE id = $1`, [p.id]);
      await t.sql(`UPDATE variant SET price_delta_kobo = 0 WHERE product_id = $1`, [p.id]);
      // Each write is valid against the starting state; any price drop with any delta cut is not.
      const answers = await Promise.all([
        ...ids.map((id) => t.call(UPDATE_VARIANT, { id, i: { priceDelta: '-6000' } }, owner)),
        t.call(UPDATE_PRODUCT, { id: p.id, i: { price: '5000.00' } }, owner),
        ...ids.map((id) => t.call(UPDATE_VARIANT, { id, i: { priceDelta: '-7000' } }, owner)),
      ]);
      for (const a of answers) assert.ok(!a.errors || codes(a).every((c) => c === 'BAD_USER_INPUT'), JSON.stringify(a.errors));
      const [worst] = await t.sql<{ lowest: string }>(
        `SELECT min(p.price_kobo + v.price_delta_kobo)::text AS lowest FROM product p JOIN variant v ON v.product_id = p.id WHERE p.id = $1`,
        [p.id],
      );
      assert.ok(BigInt(worst!.lowest) > 0n, `round ${round}: a variant costs ${worst!.lowest} kobo`);
      assert.ok(
        answers.some((a) => a.errors),
        `round ${round}: some write must be refused`,
      );
    }
  });
});
