import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { codes, startStack, type Stack } from '../src/stack';

const PASSWORD = 'Passw0rd!';
type Gql = <T>(
  query: string,
  variables?: Record<string, unknown>,
  token?: string,
) => Promise<{ status: number; data?: T | null; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> }>;

describe('storefront journeys through the router', () => {
  let s: Stack;
  let gql: Gql;
  const ok = async <T>(query: string, variables: Record<string, unknown> = {}, token?: string): Promise<T> => {
    const r = await gql<T>(query, variables, token);
    assert.equal(r.errors, undefined, `${query.slice(0, 60)}: ${JSON.stringify(r.errors)}`);
    return r.data as T;
  };
  const login = async (email: string, password = PASSWORD) =>
    (
      await ok<{ login: { accessToken: string; user: { id: string } } }>(
        `mutation($i: LoginInput!) { login(input: $i) { accessToken user { id } } }`,
        { i: { email, password } },
      )
    ).login;
  const eventually = async (check: () => Promise<boolean>, ms = 8000) => {
    const end = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > end) throw new Error('condition not met in time');
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  before(async () => {
    s = await startStack({}, {}, { SEED_SCALE: '120' });
    gql = (query, variables, token) => s.gql(query, variables as Record<string, unknown>, token) as never;
  });
  after(() => s.stop());

  it('lets anyone browse, filter and search the seeded catalog', async () => {
    const d = await ok<{
      products: {
        totalCount: number;
        edges: Array<{
          node: { id: string; slug: string; price: { currency: string }; vendor: { id: string; name: string }; rating: { count: number } };
        }>;
      };
      categories: unknown[];
    }>(
      `{ products(first: 20, filter: { search: "ankara" }, sort: NEWEST) { totalCount edges { cursor node { id slug title price { amount currency } vendor { id name } rating { average count } } } pageInfo { hasNextPage endCursor } }
         categories { id parent { id } } }`,
    );
    assert.ok(d.products.totalCount > 0);
    assert.ok(d.products.edges.every((e) => e.node.price.currency === 'NGN' && e.node.vendor.name.length > 0));
    const detail = await ok<{
      product: {
        id: string;
        variants: Array<{ price: { amount: string } }>;
        images: Array<{ url: string }>;
        reviews: { edges: unknown[] };
      };
    }>(
      `query($slug: String!) { product(slug: $slug) { id title variants { id size colour stock price { amount } } images { url } reviews(first: 5) { edges { node { rating body } } } } }`,
      { slug: d.products.edges[0]!.node.slug },
    );
    assert.ok(detail.product.variants.length > 0 && detail.product.images.length > 0);
  });

  it('a new vendor applies, cannot publish until approved, then sells; others cannot touch it; customers review it', async () => {
    const email = `maker_${Date.now()}@example.com`;
    const reg = await ok<{ register: { accessToken: string } }>(`mutation($i: RegisterInput!) { register(input: $i) { accessToken } }`, {
      i: { email, password: 'Str0ng-Passw0rd', firstName: 'Bisi', lastName: 'Ade', role: 'VENDOR' },
    });
    const vendor = reg.register.accessToken;
    const store = (
      await ok<{ applyAsVendor: { id: string; slug: string; status: string } }>(
        `mutation { applyAsVendor(input: { name: "Bisi Ankara Studio", description: "Ankara for everyday" }) { id slug status } }`,
        {},
        vendor,
      )
    ).applyAsVendor;
    assert.equal(store.status, 'PENDING');
    assert.equal(
      (await ok<{ vendor: null }>(`query($slug: String!) { vendor(slug: $slug) { id } }`, { slug: store.slug })).vendor,
      null,
      'not public until approved',
    );

    const { categories } = await ok<{ categories: Array<{ id: string; slug: string }> }>(`{ categories { id slug } }`);
    const categoryId = categories.find((c) => c.slug === 'women-dresses')!.id;
    const created = (
      await ok<{ createProduct: { id: string; slug: string; status: string } }>(
        `mutation($i: CreateProductInput!) { createProduct(input: $i) { id slug status } }`,
        { i: { title: 'Ankara Midi Wrap Dress', description: 'Bright ankara, midi length.', price: '12500.00', categoryId, stock: 4 } },
        vendor,
      )
    ).createProduct;
    assert.equal(created.status, 'DRAFT');
    const refused = await gql(`mutation($id: ID!) { publishProduct(id: $id) { id } }`, { id: created.id }, vendor);
    assert.deepEqual(codes(refused), ['FORBIDDEN']);

    const admin = (await login('admin@fashionistar.test')).accessToken;
    await ok(`mutation($id: ID!) { approveVendor(id: $id) { status } }`, { id: store.id }, admin);
    const published = await ok<{ publishProduct: { status: string } }>(
      `mutation($id: ID!) { publishProduct(id: $id) { status } }`,
      { id: created.id },
      vendor,
    );
    assert.equal(published.publishProduct.status, 'PUBLISHED', 'publishable the moment approveVendor returns');

    const page = await ok<{ vendor: { name: string; products: { edges: Array<{ node: { id: string } }> } } }>(
      `query($slug: String!) { vendor(slug: $slug) { id name products(first: 10) { edges { node { id } } } } }`,
      { slug: store.slug },
    );
    assert.deepEqual(
      page.vendor.products.edges.map((e) => e.node.id),
      [created.id],
    );
    await ok(`mutation($id: ID!) { updateProduct(id: $id, input: { price: "11000.00" }) { id } }`, { id: created.id }, vendor);

    const other = (await login('vendor2@fashionistar.test')).accessToken;
    assert.deepEqual(
      codes(await gql(`mutation($id: ID!) { updateProduct(id: $id, input: { title: "Mine now" }) { id } }`, { id: created.id }, other)),
      ['FORBIDDEN'],
    );

    const draft = (
      await ok<{ createProduct: { id: string } }>(
        `mutation($i: CreateProductInput!) { createProduct(input: $i) { id } }`,
        { i: { title: 'Adire Draft Top', description: 'Not ready.', price: '9000', categoryId } },
        vendor,
      )
    ).createProduct;
    const mine = await ok<{ myStore: { products: { edges: Array<{ node: { id: string; status: string } }> } } }>(
      `{ myStore { id slug name status products(first: 50, status: DRAFT) { edges { node { id title status } } } } }`,
      {},
      vendor,
    );
    assert.deepEqual(
      mine.myStore.products.edges.map((e) => e.node.id),
      [draft.id],
      'members see drafts',
    );

    const customer = (await login('customer1@fashionistar.test')).accessToken;
    const review = await ok<{ addReview: { id: string } }>(
      `mutation($i: AddReviewInput!) { addReview(input: $i) { id rating } }`,
      { i: { productId: created.id, rating: 4, title: 'Lovely', body: 'Fits well.' } },
      customer,
    );
    assert.ok(review.addReview.id);
    assert.deepEqual(
      codes(
        await gql(
          `mutation($i: AddReviewInput!) { addReview(input: $i) { id } }`,
          { i: { productId: created.id, rating: 5, body: 'Again' } },
          customer,
        ),
      ),
      ['CONFLICT'],
    );
    const bad = await gql(
      `mutation($i: AddReviewInput!) { addReview(input: $i) { id } }`,
      { i: { productId: created.id, rating: 7, body: 'x' } },
      (await login('customer2@fashionistar.test')).accessToken,
    );
    assert.deepEqual(codes(bad), ['BAD_USER_INPUT']);
    assert.equal(bad.errors![0]!.extensions!.field, 'input.rating', 'relative to the operation’s arguments');
    const now = await ok<{ product: { reviews: { edges: Array<{ node: { body: string } }> } } }>(
      `query($id: ID!) { product(id: $id) { reviews(first: 5) { edges { node { body } } } } }`,
      { id: created.id },
    );
    assert.deepEqual(
      now.product.reviews.edges.map((e) => e.node.body),
      ['Fits well.'],
      'the review is there at once',
    );
    await eventually(async () => {
      const r = await ok<{ product: { rating: { average: number | null; count: number } } }>(
        `query($id: ID!) { product(id: $id) { rating { average count } } }`,
        { id: created.id },
      );
      return r.product.rating.count === 1 && r.product.rating.average === 4;
    });

    // Suspending the store hides its products from search within seconds (event-fed copy).
    const search = async () =>
      (
        await ok<{ products: { edges: Array<{ node: { id: string } }> } }>(
          `{ products(first: 50, filter: { search: "ankara midi wrap" }) { edges { node { id } } } }`,
        )
      ).products.edges.some((e) => e.node.id === created.id);
    assert.equal(await search(), true);
    await ok(`mutation($id: ID!) { suspendVendor(id: $id, reason: "Fake reviews") { status } }`, { id: store.id }, admin);
    await eventually(async () => !(await search()));
  });

  it('rejects bad input with the field named', async () => {
    const vendor = (await login('vendor1@fashionistar.test')).accessToken;
    const { categories } = await ok<{ categories: Array<{ id: string }> }>(`{ categories { id } }`);
    const create = (patch: Record<string, unknown>) =>
      gql(
        `mutation($i: CreateProductInput!) { createProduct(input: $i) { id } }`,
        { i: { title: 'Test Product', description: 'd', price: '100.00', categoryId: categories[0]!.id, ...patch } },
        vendor,
      );
    const mine = async () =>
      (await ok<{ myStore: { products: { totalCount: number } } }>(`{ myStore { products(first: 1) { totalCount } } }`, {}, vendor)).myStore
        .products.totalCount;
    const before = await mine();
    for (const [patch, field] of [
      [{ price: '-1.00' }, 'input.price'],
      [{ categoryId: '5d1f4a4e-0000-4000-8000-000000000000' }, 'input.categoryId'],
    ] as const) {
      const r = await create(patch);
      assert.deepEqual(codes(r), ['BAD_USER_INPUT']);
      assert.equal(r.errors![0]!.extensions!.field, field);
    }
    assert.equal(await mine(), before, 'nothing written');
  });

  it('keeps a product page N+1-free across subgraphs: the SQL count does not grow with page size', async () => {
    const q = `query($first: Int) { products(first: $first) { edges { node { id title vendor { id name } variants { id price { amount } } images { url } category { id name } rating { average count } } } } }`;
    const count = async (first: number) => {
      const res = await fetch(s.router.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: q, variables: { first } }),
      });
      const body = (await res.json()) as { errors?: unknown };
      assert.equal(body.errors, undefined, JSON.stringify(body.errors));
      return Number(res.headers.get('x-sql-statements'));
    };
    const ten = await count(10);
    const fifty = await count(50);
    assert.ok(ten > 0, 'the router reports statements');
    assert.equal(fifty, ten, `10 products → ${ten} statements, 50 → ${fifty}`);
  });
});
