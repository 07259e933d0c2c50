import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { codes, startStack, type Stack } from '../src/stack';

/**
 * The vendor dashboard through the router: a customer becomes a vendor without a second account,
 * the store's people are users (contact details for members only), the audit log speaks enums and
 * JSON, and the review inbox lists what the store still has to answer.
 */

type Answer<T> = { status: number; data?: T | null; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };

const claims = (token: string): { roles: string[] } => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'));

describe('vendor dashboard journeys through the router', () => {
  let s: Stack;
  const gql = <T>(query: string, variables: Record<string, unknown> = {}, token?: string) =>
    s.gql(query, variables, token) as Promise<Answer<T>>;
  const ok = async <T>(query: string, variables: Record<string, unknown> = {}, token?: string): Promise<T> => {
    const r = await gql<T>(query, variables, token);
    assert.equal(r.errors, undefined, `${query.slice(0, 60)}: ${JSON.stringify(r.errors)}`);
    return r.data as T;
  };
  const register = async (role: 'CUSTOMER' | 'VENDOR', first = 'Ada') => {
    const email = `${role.toLowerCase()}_${Date.now()}_${Math.random().toString(36).slice(2, 8)}@example.com`;
    const d = await ok<{ register: { accessToken: string; refreshToken: string; user: { id: string } } }>(
      `mutation($i: RegisterInput!) { register(input: $i) { accessToken refreshToken user { id } } }`,
      { i: { email, password: 'Str0ng-Passw0rd', firstName: first, lastName: 'Obi', role } },
    );
    return { ...d.register, email };
  };

  before(async () => {
    s = await startStack({}, {}, { SEED_SCALE: '40' });
  });
  after(() => s.stop());

  it('a customer opens a store, sells on the token they hold, and answers reviews from the inbox', async () => {
    const shopper = await register('CUSTOMER', 'Bisi');
    assert.deepEqual(claims(shopper.accessToken).roles, ['CUSTOMER']);
    const store = (
      await ok<{ applyAsVendor: { id: string; slug: string; status: string } }>(
        `mutation { applyAsVendor(input: { name: "Bisi Goes Pro", contactEmail: "shop@bisi.example" }) { id slug status } }`,
        {},
        shopper.accessToken,
      )
    ).applyAsVendor;
    assert.equal(store.status, 'PENDING');
    const me = await ok<{ me: { roles: string[] } }>(`{ me { roles } }`, {}, shopper.accessToken);
    assert.deepEqual(me.me.roles.sort(), ['CUSTOMER', 'VENDOR'], 'the account holds VENDOR at once');
    const refreshed = await ok<{ refresh: { accessToken: string } }>(
      `mutation($r: String!) { refresh(refreshToken: $r) { accessToken } }`,
      { r: shopper.refreshToken },
      shopper.accessToken,
    );
    assert.deepEqual(claims(refreshed.refresh.accessToken).roles.sort(), ['CUSTOMER', 'VENDOR'], 'and the next access token carries it');

    const admin = (
      await ok<{ login: { accessToken: string } }>(
        `mutation { login(input: { email: "admin@fashionistar.test", password: "Passw0rd!" }) { accessToken } }`,
      )
    ).login.accessToken;
    await ok(`mutation($id: ID!) { approveVendor(id: $id) { id } }`, { id: store.id }, admin);
    // The old CUSTOMER-only token is enough: store operations go by membership.
    const { categories } = await ok<{ categories: Array<{ id: string }> }>(`{ categories { id } }`);
    const product = (
      await ok<{ createProduct: { id: string } }>(
        `mutation($i: CreateProductInput!) { createProduct(input: $i) { id } }`,
        { i: { title: 'Pro Ankara Shirt', description: 'Sharp.', price: '8000', categoryId: categories[0]!.id, stock: 3 } },
        shopper.accessToken,
      )
    ).createProduct;
    await ok(`mutation($id: ID!) { publishProduct(id: $id) { id } }`, { id: product.id }, shopper.accessToken);

    const buyers = [await register('CUSTOMER'), await register('CUSTOMER')];
    for (const [i, b] of buyers.entries()) {
      await ok(
        `mutation($i: AddReviewInput!) { addReview(input: $i) { id } }`,
        { i: { productId: product.id, rating: i === 0 ? 5 : 2, body: i === 0 ? 'Love it' : 'Too tight' } },
        b.accessToken,
      );
    }
    const INBOX = `{ myStore { reviews(unreplied: true, sort: LOWEST) { totalCount edges { node { id rating author { id } } } } } }`;
    type Inbox = {
      myStore: { reviews: { totalCount: number; edges: Array<{ node: { id: string; rating: number; author: { id: string } } }> } };
    };
    const inbox = (await ok<Inbox>(INBOX, {}, shopper.accessToken)).myStore.reviews;
    assert.deepEqual(
      inbox.edges.map((e) => [e.node.rating, e.node.author.id]),
      [
        [2, buyers[1]!.user.id],
        [5, buyers[0]!.user.id],
      ],
    );
    await ok(
      `mutation($id: ID!) { replyToReview(id: $id, body: "We will swap it.") { id } }`,
      { id: inbox.edges[0]!.node.id },
      shopper.accessToken,
    );
    assert.equal((await ok<Inbox>(INBOX, {}, shopper.accessToken)).myStore.reviews.totalCount, 1);

    // Outsiders get no inbox (FORBIDDEN on that field only: the store still answers).
    const outsider = await gql<{ vendor: { name: string; reviews: null } }>(
      `query($s: String!) { vendor(slug: $s) { name reviews { totalCount } } }`,
      { s: store.slug },
      buyers[0]!.accessToken,
    );
    assert.deepEqual([codes(outsider), outsider.data?.vendor], [['FORBIDDEN'], { name: 'Bisi Goes Pro', reviews: null }]);

    // Shoppers sort and filter a product's reviews.
    const best = await ok<{ product: { reviews: { totalCount: number; edges: Array<{ node: { rating: number } }> } } }>(
      `query($id: ID!) { product(id: $id) { reviews(sort: HIGHEST) { totalCount edges { node { rating } } } } }`,
      { id: product.id },
    );
    assert.deepEqual([best.product.reviews.totalCount, best.product.reviews.edges.map((e) => e.node.rating)], [2, [5, 2]]);

    // The store's people as users, contact details for members only; the audit log in enums and JSON.
    const people = await ok<{
      myStore: {
        members: Array<{ user: { id: string; firstName: string }; email: string | null; role: string }>;
        auditLog: Array<{ action: string; actor: { id: string } | null; changes: Array<{ field: string; to: unknown }> }>;
      };
    }>(
      `{ myStore { members { user { id firstName } email role } auditLog { action actor { id } changes { field to } } } }`,
      {},
      shopper.accessToken,
    );
    assert.deepEqual(people.myStore.members, [{ user: { id: shopper.user.id, firstName: 'Bisi' }, email: shopper.email, role: 'OWNER' }]);
    assert.deepEqual(
      people.myStore.auditLog.map((e) => e.action),
      ['VENDOR_APPROVED', 'VENDOR_APPLIED'],
    );
    const applied = people.myStore.auditLog[1]!;
    assert.equal(applied.actor?.id, shopper.user.id);
    assert.deepEqual(
      applied.changes.find((c) => c.field === 'businessHours'),
      { field: 'businessHours', to: [] },
      'values are JSON, not JSON text',
    );
    const anon = await ok<{ vendor: { members: unknown[] } }>(`query($s: String!) { vendor(slug: $s) { members { email } } }`, {
      s: store.slug,
    });
    assert.deepEqual(anon.vendor.members, []);
  });

  it('fills the store of reviews written before the inbox (the demo seed) from the catalog, in the background', async () => {
    const token = (
      await ok<{ login: { accessToken: string } }>(
        `mutation { login(input: { email: "vendor1@fashionistar.test", password: "Passw0rd!" }) { accessToken } }`,
      )
    ).login.accessToken;
    const total = async () =>
      (await ok<{ myStore: { reviews: { totalCount: number } } }>(`{ myStore { reviews { totalCount } } }`, {}, token)).myStore.reviews
        .totalCount;
    const end = Date.now() + 15_000;
    while ((await total()) === 0) {
      if (Date.now() > end) assert.fail('the seeded reviews never reached the store inbox');
      await new Promise((r) => setTimeout(r, 200));
    }
  });
});
