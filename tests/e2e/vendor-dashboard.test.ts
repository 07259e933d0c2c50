import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { codes, startStack, type Stack } from '../src/stack';

const PASSWORD = 'Passw0rd!';
type Answer<T> = {
  status: number;
  data?: T | null;
  errors?: Array<{ message: string; path?: unknown[]; extensions?: Record<string, unknown> }>;
};

/** The catalog's forms and the vendor dashboard, through the router as a frontend calls them. */
describe('vendor dashboard journeys through the router', () => {
  let s: Stack;
  let vendor: string;
  let customer: string;
  let categoryId: string;
  const gql = <T>(query: string, variables: Record<string, unknown> = {}, token?: string) =>
    s.gql(query, variables, token) as Promise<Answer<T>>;
  const ok = async <T>(query: string, variables: Record<string, unknown> = {}, token?: string): Promise<T> => {
    const r = await gql<T>(query, variables, token);
    assert.equal(r.errors, undefined, `${query.slice(0, 60)}: ${JSON.stringify(r.errors)}`);
    return r.data as T;
  };
  const login = async (email: string) =>
    (
      await ok<{ login: { accessToken: string } }>(`mutation($i: LoginInput!) { login(input: $i) { accessToken } }`, {
        i: { email, password: PASSWORD },
      })
    ).login.accessToken;

  before(async () => {
    s = await startStack({}, {}, { SEED_SCALE: '60' });
    vendor = await login('vendor1@fashionistar.test');
    customer = await login('customer1@fashionistar.test');
    const { categories } = await ok<{ categories: Array<{ id: string; slug: string }> }>(`{ categories { id slug } }`);
    categoryId = categories.find((c) => c.slug === 'women-dresses')!.id;
  });
  after(() => s.stop());

  it('answers every problem of a form at once, with paths a form can map to its fields', async () => {
    const r = await gql(
      `mutation($i: CreateProductInput!) { createProduct(input: $i) { id } }`,
      {
        i: { title: ' ', description: 'x', price: '-1', categoryId, images: [{ url: 'nope' }] },
      },
      vendor,
    );
    assert.deepEqual(codes(r), ['BAD_USER_INPUT']);
    const fields = r.errors![0]!.extensions!.fields as Array<{ path: string; message: string }>;
    assert.deepEqual(fields.map((f) => f.path).sort(), ['input.images.0.url', 'input.price', 'input.title']);
    assert.equal(r.errors![0]!.extensions!.field, fields[0]!.path);
  });

  it('caps what one createProduct may carry, as addVariant and addProductImage do', async () => {
    const base = { title: 'Capped', description: 'Too much.', price: '9000', categoryId };
    const many = (n: number, make: (i: number) => Record<string, unknown>) => Array.from({ length: n }, (_, i) => make(i));
    const r = await gql(
      `mutation($i: CreateProductInput!) { createProduct(input: $i) { id } }`,
      {
        i: {
          ...base,
          variants: many(101, (i) => ({ size: `S${i}`, stock: 1 })),
          images: many(31, (i) => ({ url: `https://img.test/${i}.jpg` })),
          specifications: many(51, (i) => ({ name: `n${i}`, value: 'v' })),
          faqs: many(51, (i) => ({ question: `q${i}?`, answer: 'a' })),
        },
      },
      vendor,
    );
    assert.deepEqual(codes(r), ['BAD_USER_INPUT']);
    const paths = (r.errors![0]!.extensions!.fields as Array<{ path: string }>).map((f) => f.path).sort();
    assert.deepEqual(paths, ['input.faqs', 'input.images', 'input.specifications', 'input.variants']);
    // 5,000 variants (the adversarial pass's case) are refused the same way, not stored or overflowing Postgres.
    const huge = await gql(
      `mutation($i: CreateProductInput!) { createProduct(input: $i) { id } }`,
      { i: { ...base, variants: many(5000, (i) => ({ size: `X${i}`, stock: 1 })) } },
      vendor,
    );
    assert.deepEqual(codes(huge), ['BAD_USER_INPUT']);
  });

  it('edits a variant without touching its stock, clears the old price with null, and keeps the ledger', async () => {
    const p = (
      await ok<{ createProduct: { id: string; variants: Array<{ id: string }> } }>(
        `mutation($i: CreateProductInput!) { createProduct(input: $i) { id variants { id } } }`,
        {
          i: {
            title: 'Dashboard Wrap',
            description: 'Wrap dress.',
            price: '9000',
            oldPrice: '12000',
            categoryId,
            variants: [{ size: 'M', stock: 6 }],
          },
        },
        vendor,
      )
    ).createProduct;
    const v = p.variants[0]!.id;
    await ok(
      `mutation($i: AdjustStockInput!) { adjustStock(input: $i) { id } }`,
      { i: { productId: p.id, variantId: v, delta: -2, reason: 'sold' } },
      vendor,
    );
    const changed = await ok<{ updateVariant: { size: string; stock: number } }>(
      `mutation($id: ID!, $i: UpdateVariantInput!) { updateVariant(id: $id, input: $i) { size stock } }`,
      { id: v, i: { size: 'L' } },
      vendor,
    );
    assert.deepEqual(changed.updateVariant, { size: 'L', stock: 4 });
    const same = await gql(`mutation($id: ID!) { addVariant(productId: $id, input: { size: "l" }) { id } }`, { id: p.id }, vendor);
    assert.deepEqual(codes(same), ['CONFLICT']);
    assert.equal(same.errors![0]!.extensions!.field, 'input.size');
    const cleared = await ok<{ updateProduct: { oldPrice: null } }>(
      `mutation($id: ID!) { updateProduct(id: $id, input: { oldPrice: null }) { oldPrice { amount } } }`,
      { id: p.id },
      vendor,
    );
    assert.equal(cleared.updateProduct.oldPrice, null);

    const ledger = await ok<{
      myStore: {
        products: {
          edges: Array<{
            node: {
              id: string;
              totalStock: number;
              stockMovements: { edges: Array<{ node: { delta: number; reason: string; actor: { id: string } | null } }> };
            };
          }>;
        };
      };
    }>(
      `{ myStore { products(first: 5, search: "dashboard wrap", lowStock: true, sort: STOCK_ASC) { edges { node { id totalStock
         stockMovements(first: 5) { edges { node { delta reason actor { id } } } } } } } } }`,
      {},
      vendor,
    );
    const [row] = ledger.myStore.products.edges;
    assert.equal(row?.node.id, p.id);
    assert.equal(row!.node.totalStock, 4);
    assert.deepEqual(
      row!.node.stockMovements.edges.map((e) => [e.node.delta, e.node.reason]),
      [
        [-2, 'sold'],
        [6, 'initial stock'],
      ],
    );
    assert.ok(
      row!.node.stockMovements.edges.every((e) => e.node.actor?.id),
      'each movement names who made it',
    );

    await ok(`mutation($id: ID!) { publishProduct(id: $id) { id } }`, { id: p.id }, vendor);
    const seen = await gql<{ product: { id: string; stockMovements: null } }>(
      `query($id: ID!) { product(id: $id) { id stockMovements { totalCount } } }`,
      { id: p.id },
      customer,
    );
    assert.deepEqual(codes(seen), ['FORBIDDEN']);
    assert.deepEqual(seen.data?.product, { id: p.id, stockMovements: null }, 'the product stays; only the ledger is withheld');
  });
});
