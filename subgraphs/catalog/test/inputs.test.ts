import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Identity } from '@fashionistar/shared';
import { seedCategoryId } from '../src/seed/seed';
import { codes, person, startTestCatalog, type GqlResult, type TestCatalog } from './helpers';

interface Variant {
  id: string;
  sku: string;
  size: string | null;
  colour: string | null;
  stock: number;
  priceDelta: { amount: string };
}
const VARIANT = `id sku size colour stock priceDelta { amount }`;
const CREATE = `mutation($i: CreateProductInput!) { createProduct(input: $i) { id variants { ${VARIANT} } images { id url alt } } }`;
const PRODUCT = `id title description price { amount } oldPrice { amount } shippingAmount { amount } brand { id } tags hotDeal
  specialOffer tailoringLeadDays specifications { name value } faqs { question answer } category { id }`;
const UPDATE = `mutation($id: ID!, $i: UpdateProductInput!) { updateProduct(id: $id, input: $i) { ${PRODUCT} } }`;
const ADD = `mutation($id: ID!, $i: VariantInput!) { addVariant(productId: $id, input: $i) { ${VARIANT} } }`;
const UPDATE_VARIANT = `mutation($id: ID!, $i: UpdateVariantInput!) { updateVariant(id: $id, input: $i) { ${VARIANT} } }`;
const REMOVE = `mutation($id: ID!) { removeVariant(id: $id) }`;
const ADJUST = `mutation($i: AdjustStockInput!) { adjustStock(input: $i) { stock } }`;

/** The problems of a BAD_USER_INPUT answer: path → message. */
const problems = (r: GqlResult<unknown>): Record<string, string> => {
  assert.deepEqual(codes(r), ['BAD_USER_INPUT'], JSON.stringify(r.errors));
  const fields = r.errors![0]!.extensions!.fields as Array<{ path: string; message: string }>;
  assert.equal(r.errors![0]!.extensions!.field, fields[0]!.path, 'field names the first problem');
  return Object.fromEntries(fields.map((f) => [f.path, f.message]));
};

describe('catalog: one convention for inputs, every problem at once', () => {
  let t: TestCatalog;
  let owner: Identity;
  const admin: Identity = person(['ADMIN']);
  let brandId: string;
  const input = (patch: Record<string, unknown> = {}) => ({
    title: 'Ankara Wrap Dress',
    description: 'Hand-finished in Lagos.',
    price: '10000.00',
    categoryId: seedCategoryId('men-agbada'),
    stock: 4,
    variants: [{ size: 'M', colour: 'Gold', stock: 3 }],
    ...patch,
  });
  const create = async (patch: Record<string, unknown> = {}) =>
    (
      await t.ok<{ createProduct: { id: string; variants: Variant[]; images: Array<{ id: string; url: string; alt: string | null }> } }>(
        CREATE,
        { i: input(patch) },
        owner,
      )
    ).createProduct;

  before(async () => {
    t = await startTestCatalog();
    owner = person();
    t.stores[randomUUID()] = { status: 'APPROVED', members: { [owner.userId]: 'OWNER' } };
    brandId = (
      await t.ok<{ createBrand: { id: string } }>(`mutation { createBrand(input: { name: "Input Test Brand" }) { id } }`, {}, admin)
    ).createBrand.id;
  });
  after(() => t.stop());

  it('answers every problem of a product at once, each with its path from the arguments', async () => {
    const r = await t.call(
      CREATE,
      {
        i: input({
          title: '  ',
          price: '-5.00',
          images: [{ url: 'https://img.fashionistar.test/ok.jpg' }, { url: 'ftp://nope' }],
          tags: Array.from({ length: 21 }, (_, i) => `t${i}`),
          categoryId: randomUUID(),
          brandId: randomUUID(),
          variants: [
            { size: 'M', colour: 'Gold' },
            { size: 'm', colour: 'gold' },
            { colour: '', sku: 'x'.repeat(65) },
          ],
          specifications: [{ name: '', value: 'cotton' }],
        }),
      },
      owner,
    );
    const all = problems(r);
    assert.deepEqual(Object.keys(all).sort(), [
      'input.brandId',
      'input.categoryId',
      'input.images.1.url',
      'input.price',
      'input.specifications.0.name',
      'input.tags',
      'input.title',
      'input.variants.1.size',
      'input.variants.2.size',
      'input.variants.2.sku',
    ]);
    assert.equal(r.errors![0]!.extensions!.field, 'input.price');
    assert.match(all['input.variants.1.size']!, /same size and colour/);
    const [n] = await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM product WHERE title = 'Ankara Wrap Dress'`);
    assert.equal(n!.n, 0, 'nothing written');

    // The example of the issue: blank name, negative price and a bad image URL in one answer.
    assert.deepEqual(Object.keys(problems(await t.call(CREATE, { i: input({ categoryId: '', brandId: '' }) }, owner))), [
      'input.categoryId',
      'input.brandId',
    ]);
    const three = problems(await t.call(CREATE, { i: input({ title: '', price: '-1', images: [{ url: 'nope' }] }) }, owner));
    assert.deepEqual(Object.keys(three).sort(), ['input.images.0.url', 'input.price', 'input.title']);
  });

  it('reports addProductImage problems on its own argument, input.url', async () => {
    const p = await create();
    const r = await t.call(
      `mutation($id: ID!, $i: ImageInput!) { addProductImage(productId: $id, input: $i) { id } }`,
      { id: p.id, i: { url: 'javascript:alert(1)', alt: 'a'.repeat(201) } },
      owner,
    );
    assert.deepEqual(Object.keys(problems(r)), ['input.url', 'input.alt']);
  });

  it('makes the slug from the name when the given slug is blank', async () => {
    const brand = await t.ok<{ createBrand: { slug: string } }>(
      `mutation { createBrand(input: { name: "Blank Slug Brand", slug: "  " }) { slug } }`,
      {},
      admin,
    );
    assert.equal(brand.createBrand.slug, 'blank-slug-brand');
  });

  it('adds an image after the last position, even after a removal left a gap', async () => {
    const p = await create({
      images: [{ url: 'https://img.test/1.jpg' }, { url: 'https://img.test/2.jpg' }, { url: 'https://img.test/3.jpg' }],
    });
    const [, middle] = p.images as Array<{ id: string }>;
    await t.ok(`mutation($id: ID!) { removeProductImage(id: $id) }`, { id: middle!.id }, owner);
    const ADD_IMAGE = `mutation($id: ID!, $i: ImageInput!) { addProductImage(productId: $id, input: $i) { id position } }`;
    const added = (
      await t.ok<{ addProductImage: { id: string; position: number } }>(
        ADD_IMAGE,
        { id: p.id, i: { url: 'https://img.test/4.jpg' } },
        owner,
      )
    ).addProductImage;
    const gallery = (
      await t.ok<{ product: { images: Array<{ id: string; position: number }> } }>(
        `query($id: ID!) { product(id: $id) { images { id position } } }`,
        { id: p.id },
        owner,
      )
    ).product.images;
    assert.equal(new Set(gallery.map((i) => i.position)).size, gallery.length, 'positions are distinct');
    assert.equal(gallery.at(-1)!.id, added.id, 'the new image comes last');
  });

  it('updateProduct: absent keeps, null clears what may be cleared, null elsewhere is BAD_USER_INPUT on its path', async () => {
    const p = await create({
      oldPrice: '15000.00',
      brandId,
      tags: ['owambe'],
      tailoringLeadDays: 7,
      hotDeal: true,
      specifications: [{ name: 'Fabric', value: 'Cotton' }],
      faqs: [{ question: 'Lined?', answer: 'Yes' }],
    });
    type P = { updateProduct: Record<string, unknown> & { oldPrice: { amount: string } | null } };
    const titled = (await t.ok<P>(UPDATE, { id: p.id, i: { title: 'Ankara Wrap Dress II' } }, owner)).updateProduct;
    assert.deepEqual(
      {
        oldPrice: titled.oldPrice,
        brand: titled.brand,
        tags: titled.tags,
        lead: titled.tailoringLeadDays,
        hot: titled.hotDeal,
        specs: titled.specifications,
        faqs: titled.faqs,
      },
      {
        oldPrice: { amount: '15000.00' },
        brand: { id: brandId },
        tags: ['owambe'],
        lead: 7,
        hot: true,
        specs: [{ name: 'Fabric', value: 'Cotton' }],
        faqs: [{ question: 'Lined?', answer: 'Yes' }],
      },
      'absent fields keep their value',
    );

    const cleared = (
      await t.ok<P>(
        UPDATE,
        { id: p.id, i: { oldPrice: null, brandId: null, tags: null, tailoringLeadDays: null, specifications: null, faqs: null } },
        owner,
      )
    ).updateProduct;
    assert.deepEqual(
      [cleared.oldPrice, cleared.brand, cleared.tags, cleared.tailoringLeadDays, cleared.specifications, cleared.faqs],
      [null, null, [], null, [], []],
      'null clears the clearable fields',
    );
    assert.equal(cleared.title, 'Ankara Wrap Dress II');

    const refused = await t.call(
      UPDATE,
      {
        id: p.id,
        i: {
          title: null,
          description: null,
          price: null,
          shippingAmount: null,
          categoryId: null,
          hotDeal: null,
          specialOffer: null,
          oldPrice: '1.00',
        },
      },
      owner,
    );
    const all = problems(refused);
    assert.deepEqual(Object.keys(all).sort(), [
      'input.categoryId',
      'input.description',
      'input.hotDeal',
      'input.oldPrice',
      'input.price',
      'input.shippingAmount',
      'input.specialOffer',
      'input.title',
    ]);
    assert.match(all['input.title']!, /cannot be cleared/);
    assert.deepEqual(Object.keys(problems(await t.call(UPDATE, { id: p.id, i: { categoryId: '', brandId: '' } }, owner))), [
      'input.categoryId',
      'input.brandId',
    ]);
    const [row] = await t.sql<{ title: string; price_kobo: string }>(`SELECT title, price_kobo FROM product WHERE id = $1`, [p.id]);
    assert.deepEqual(row, { title: 'Ankara Wrap Dress II', price_kobo: '1000000' }, 'nothing written');
  });

  it('oldPrice: null clears the old price; the deprecated clearOldPrice still does', async () => {
    const p = await create({ oldPrice: '12000.00' });
    const old = async () => (await t.sql<{ o: string | null }>(`SELECT old_price_kobo AS o FROM product WHERE id = $1`, [p.id]))[0]!.o;
    await t.ok(UPDATE, { id: p.id, i: { oldPrice: null } }, owner);
    assert.equal(await old(), null);
    await t.ok(UPDATE, { id: p.id, i: { oldPrice: '13000.00' } }, owner);
    assert.equal(await old(), '1300000');
    await t.ok(UPDATE, { id: p.id, i: { clearOldPrice: true } }, owner);
    assert.equal(await old(), null);
    await t.ok(UPDATE, { id: p.id, i: { oldPrice: '13000.00' } }, owner);
    assert.deepEqual(Object.keys(problems(await t.call(UPDATE, { id: p.id, i: { oldPrice: '14000.00', clearOldPrice: true } }, owner))), [
      'input.clearOldPrice',
    ]);
    // Raising the price to the old price is refused on the field that moved.
    assert.deepEqual(Object.keys(problems(await t.call(UPDATE, { id: p.id, i: { price: '13000.00' } }, owner))), ['input.price']);
  });

  it('updateVariant keeps the stock (no stock field), clears size or colour and priceDelta with null, never the SKU', async () => {
    const p = await create({ variants: [{ size: 'M', colour: 'Gold', priceDelta: '500', stock: 3 }] });
    const v = p.variants[0]!;
    await t.ok(ADJUST, { i: { productId: p.id, variantId: v.id, delta: 4, reason: 'restock' } }, owner);
    const movements = async () =>
      (await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM stock_movement WHERE variant_id = $1`, [v.id]))[0]!.n;
    const before = await movements();

    const renamed = (await t.ok<{ updateVariant: Variant }>(UPDATE_VARIANT, { id: v.id, i: { size: 'L' } }, owner)).updateVariant;
    assert.deepEqual(
      { size: renamed.size, colour: renamed.colour, stock: renamed.stock, sku: renamed.sku, delta: renamed.priceDelta.amount },
      { size: 'L', colour: 'Gold', stock: 7, sku: v.sku, delta: '500.00' },
      'absent fields keep their value, the stock above all',
    );
    assert.equal(await movements(), before, 'no stock movement');

    const noStock = await t.call(UPDATE_VARIANT, { id: v.id, i: { size: 'S', stock: 0 } }, owner);
    // A variable that does not fit its type is the client's input at fault: BAD_USER_INPUT.
    assert.deepEqual(codes(noStock), ['BAD_USER_INPUT'], 'stock is not part of UpdateVariantInput');
    assert.match(noStock.errors![0]!.message, /"stock" is not defined by type "UpdateVariantInput"/);

    const cleared = (await t.ok<{ updateVariant: Variant }>(UPDATE_VARIANT, { id: v.id, i: { colour: null, priceDelta: null } }, owner))
      .updateVariant;
    assert.deepEqual([cleared.colour, cleared.priceDelta.amount, cleared.stock], [null, '0.00', 7]);

    assert.deepEqual(Object.keys(problems(await t.call(UPDATE_VARIANT, { id: v.id, i: { size: null } }, owner))), ['input.size']);
    assert.deepEqual(Object.keys(problems(await t.call(UPDATE_VARIANT, { id: v.id, i: { sku: null, priceDelta: 'x' } }, owner))), [
      'input.sku',
      'input.priceDelta',
    ]);
    assert.deepEqual(Object.keys(problems(await t.call(UPDATE_VARIANT, { id: v.id, i: { priceDelta: '-10000' } }, owner))), [
      'input.priceDelta',
    ]);
  });

  it('updateProductImage: null clears the alt text and is BAD_USER_INPUT on the URL', async () => {
    const p = await create({ images: [{ url: 'https://img.fashionistar.test/a.jpg', alt: 'front' }] });
    const img = p.images[0]!;
    const UPDATE_IMAGE = `mutation($id: ID!, $i: UpdateImageInput!) { updateProductImage(id: $id, input: $i) { url alt } }`;
    const d = await t.ok<{ updateProductImage: { url: string; alt: string | null } }>(
      UPDATE_IMAGE,
      { id: img.id, i: { alt: null } },
      owner,
    );
    assert.deepEqual(d.updateProductImage, { url: img.url, alt: null });
    assert.deepEqual(Object.keys(problems(await t.call(UPDATE_IMAGE, { id: img.id, i: { url: null } }, owner))), ['input.url']);
  });

  it('adjustStock reports every problem under input', async () => {
    const p = await create();
    assert.deepEqual(Object.keys(problems(await t.call(ADJUST, { i: { productId: p.id, delta: 0, reason: ' ' } }, owner))), [
      'input.delta',
      'input.reason',
    ]);
  });

  it('admin taxonomy and flags follow the convention too', async () => {
    const brand = `mutation($id: ID!, $i: UpdateBrandInput!) { updateBrand(id: $id, input: $i) { name description logoUrl } }`;
    await t.ok(brand, { id: brandId, i: { description: 'Lagos lace', logoUrl: 'https://img.fashionistar.test/l.png' } }, admin);
    const cleared = await t.ok<{ updateBrand: { name: string; description: null; logoUrl: null } }>(
      brand,
      { id: brandId, i: { description: null, logoUrl: null } },
      admin,
    );
    assert.deepEqual(cleared.updateBrand, { name: 'Input Test Brand', description: null, logoUrl: null });
    assert.deepEqual(Object.keys(problems(await t.call(brand, { id: brandId, i: { name: null, logoUrl: 'nope' } }, admin))), [
      'input.name',
      'input.logoUrl',
    ]);
    const col = (
      await t.ok<{ createCollection: { id: string } }>(`mutation { createCollection(input: { name: "Convention" }) { id } }`, {}, admin)
    ).createCollection;
    const collection = `mutation($id: ID!, $i: UpdateCollectionInput!) { updateCollection(id: $id, input: $i) { id } }`;
    assert.deepEqual(Object.keys(problems(await t.call(collection, { id: col.id, i: { active: null } }, admin))), ['input.active']);
    assert.deepEqual(
      Object.keys(problems(await t.call(`mutation { createCategory(input: { name: " ", imageUrl: "nope" }) { id } }`, {}, admin))),
      ['input.name', 'input.imageUrl'],
    );
    assert.deepEqual(codes(await t.call(`mutation { createBrand(input: { name: "Input Test Brand" }) { id } }`, {}, admin)), ['CONFLICT']);
    const p = await create();
    const flags = `mutation($id: ID!, $f: Boolean) { setProductFlags(id: $id, featured: $f) { featured hotDeal } }`;
    assert.deepEqual(Object.keys(problems(await t.call(flags, { id: p.id, f: null }, admin))), ['featured']);
    assert.deepEqual((await t.ok<{ setProductFlags: unknown }>(flags, { id: p.id, f: true }, admin)).setProductFlags, {
      featured: true,
      hotDeal: false,
    });
  });

  describe('size + colour is unique among a product’s variants on sale', () => {
    it('answers CONFLICT on input.size, case-insensitively, a missing option counting as a value', async () => {
      const p = await create({ variants: [{ size: 'M', colour: 'Gold' }, { size: 'S' }] });
      const conflict = async (i: Record<string, unknown>) => {
        const r = await t.call(ADD, { id: p.id, i }, owner);
        assert.deepEqual(codes(r), ['CONFLICT'], JSON.stringify(i));
        assert.equal(r.errors![0]!.extensions!.field, 'input.size');
      };
      await conflict({ size: 'M', colour: 'Gold' });
      await conflict({ size: ' m ', colour: 'GOLD' });
      await conflict({ size: 'S' });
      await t.ok(ADD, { id: p.id, i: { size: 'S', colour: 'Gold' } }, owner);
      await t.ok(ADD, { id: p.id, i: { colour: 'Gold' } }, owner);
      const s = p.variants[1]!;
      const r = await t.call(UPDATE_VARIANT, { id: s.id, i: { colour: 'gold' } }, owner);
      assert.deepEqual(codes(r), ['CONFLICT'], 'an update into a taken combination');
      assert.equal(r.errors![0]!.extensions!.field, 'input.size');
      await t.ok(UPDATE_VARIANT, { id: s.id, i: { size: 'S' } }, owner);
    });

    it('answers CONFLICT on the SKU’s path when another variant on sale has it', async () => {
      const p = await create({ variants: [{ size: 'M', sku: 'conv-sku-1' }] });
      const taken = await t.call(CREATE, { i: input({ variants: [{ size: 'S' }, { size: 'M', sku: 'CONV-SKU-1' }] }) }, owner);
      assert.deepEqual(codes(taken), ['CONFLICT']);
      assert.equal(taken.errors![0]!.extensions!.field, 'input.variants.1.sku');
      const added = await t.call(ADD, { id: p.id, i: { size: 'L', sku: 'Conv-Sku-1' } }, owner);
      assert.deepEqual(codes(added), ['CONFLICT']);
      assert.equal(added.errors![0]!.extensions!.field, 'input.sku');
      const other = (await t.ok<{ addVariant: Variant }>(ADD, { id: p.id, i: { size: 'L' } }, owner)).addVariant;
      const updated = await t.call(UPDATE_VARIANT, { id: other.id, i: { sku: 'conv-sku-1' } }, owner);
      assert.deepEqual(codes(updated), ['CONFLICT']);
      assert.equal(updated.errors![0]!.extensions!.field, 'input.sku');
    });

    it('lets a removed variant’s options be added again, its history kept apart', async () => {
      const p = await create({ variants: [{ size: 'XL', colour: 'Red', stock: 2 }] });
      const old = p.variants[0]!;
      await t.ok(REMOVE, { id: old.id }, owner);
      const again = (await t.ok<{ addVariant: Variant }>(ADD, { id: p.id, i: { size: 'XL', colour: 'Red', stock: 1 } }, owner)).addVariant;
      assert.notEqual(again.id, old.id);
      const rows = await t.sql<{ variant_id: string; n: number }>(
        `SELECT variant_id, count(*)::int AS n FROM stock_movement WHERE product_id = $1 AND variant_id IS NOT NULL GROUP BY variant_id`,
        [p.id],
      );
      assert.deepEqual(Object.fromEntries(rows.map((r) => [r.variant_id, r.n])), { [old.id]: 2, [again.id]: 1 });
    });

    it('refuses one of two concurrent adds of the same options, without a 500', async () => {
      for (let round = 0; round < 5; round++) {
        const p = await create({ variants: [] });
        const answers = await Promise.all([0, 1].map(() => t.call(ADD, { id: p.id, i: { size: 'M', colour: 'Blue' } }, owner)));
        assert.deepEqual(answers.map((a) => codes(a).join()).sort(), ['', 'CONFLICT'], JSON.stringify(answers.map((a) => a.errors)));
        const [live] = await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM variant WHERE product_id = $1 AND removed_at IS NULL`, [
          p.id,
        ]);
        assert.equal(live!.n, 1);
      }
    });

    it('is enforced by a partial unique index as well', async () => {
      const p = await create({ variants: [{ size: 'M' }] });
      const insert = (size: string) =>
        t.sql(
          `INSERT INTO variant (id, product_id, size, colour, sku, price_delta_kobo, stock, position) VALUES ($1, $2, $3, NULL, $4, 0, 0, 9)`,
          [randomUUID(), p.id, size, `RAW-${randomUUID()}`],
        );
      await assert.rejects(insert('m'), /variant_options_live_key/);
      await t.sql(`UPDATE variant SET removed_at = now() WHERE product_id = $1`, [p.id]);
      await insert('m');
    });
  });
});
