/**
 * Issue 8's conventions as a form meets them through the router: every problem of an input in
 * one answer with argument-relative paths, absent keeps / null clears in updates, an update that
 * cannot do what it asks says so, reason enums, state names for address forms, review sorts.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SEED_PASSWORD } from '@fashionistar/shared';
import { codes, startStack, type Stack } from '../src/stack';

type Fields = Array<{ path: string; message: string }>;

describe('frontend conventions through the router', () => {
  let s: Stack;
  before(async () => {
    s = await startStack({}, {}, { SEED_SCALE: '40' });
  });
  after(() => s.stop());

  const signIn = async (email: string) => {
    const r = await s.gql<{ login: { accessToken: string } }, Record<string, unknown>>(
      `mutation($e: String!, $p: String!) { login(input: { email: $e, password: $p }) { accessToken } }`,
      { e: email, p: SEED_PASSWORD },
    );
    return r.data!.login.accessToken;
  };

  it('register answers every problem at once, each on its argument path', async () => {
    const r = await s.gql(`mutation($i: RegisterInput!) { register(input: $i) { accessToken } }`, {
      i: { email: 'not-an-email', password: 'short', firstName: '  ', lastName: 'Okafor' },
    });
    assert.deepEqual(codes(r), ['BAD_USER_INPUT']);
    const ext = r.errors![0]!.extensions!;
    const paths = (ext.fields as Fields).map((f) => f.path);
    assert.deepEqual(paths.slice().sort(), ['input.email', 'input.firstName', 'input.password']);
    assert.equal(ext.field, paths[0], 'field repeats the first problem');
    assert.ok((ext.fields as Fields).every((f) => f.message.length > 0));
  });

  it('addresses: absent keeps, null clears line2, isDefault: false on the default says what to do', async () => {
    const token = await signIn('customer3@fashionistar.test');
    const { data: states } = await s.gql<{ nigerianStates: string[] }, Record<string, never>>(`{ nigerianStates }`);
    assert.equal(states!.nigerianStates.length, 37);
    assert.ok(states!.nigerianStates.includes('Federal Capital Territory'));
    const fields = 'id fullName line2 city isDefault';
    const added = await s.gql<{ addAddress: { id: string; line2: string | null; isDefault: boolean } }, Record<string, unknown>>(
      `mutation($i: AddressInput!) { addAddress(input: $i) { ${fields} } }`,
      {
        i: {
          fullName: 'Ngozi Eze',
          phone: '08031234567',
          line1: '12 Marina',
          line2: 'Flat 3',
          city: 'Lagos',
          state: states!.nigerianStates.find((n) => n === 'Lagos'),
          isDefault: true,
        },
      },
      token,
    );
    assert.equal(added.errors, undefined, JSON.stringify(added.errors));
    const id = added.data!.addAddress.id;
    const update = (input: Record<string, unknown>) =>
      s.gql<{ updateAddress: { line2: string | null; city: string; fullName: string } }, Record<string, unknown>>(
        `mutation($id: ID!, $i: UpdateAddressInput!) { updateAddress(id: $id, input: $i) { ${fields} } }`,
        { id, i: input },
        token,
      );
    const kept = await update({ city: 'Ikeja' });
    assert.deepEqual([kept.data!.updateAddress.city, kept.data!.updateAddress.line2], ['Ikeja', 'Flat 3']);
    const cleared = await update({ line2: null });
    assert.equal(cleared.data!.updateAddress.line2, null);
    const notClearable = await update({ fullName: null, city: null });
    assert.deepEqual(
      (notClearable.errors![0]!.extensions!.fields as Fields).map((f) => f.path),
      ['input.fullName', 'input.city'],
    );
    const undefault = await update({ isDefault: false });
    assert.deepEqual(codes(undefault), ['BAD_USER_INPUT']);
    assert.equal(undefault.errors![0]!.extensions!.field, 'input.isDefault');
    assert.match(undefault.errors![0]!.message, /another address/i);
  });

  it('speaks enums: a wrong password is WRONG_PASSWORD in the sign-in history', async () => {
    const wrong = await s.gql(
      `mutation { login(input: { email: "customer4@fashionistar.test", password: "nope-Passw0rd1" }) { accessToken } }`,
    );
    assert.deepEqual([codes(wrong), wrong.errors![0]!.extensions!.reason], [['UNAUTHENTICATED'], 'WRONG_CREDENTIALS']);
    const token = await signIn('customer4@fashionistar.test');
    const events = await s.gql<{ myLoginEvents: Array<{ outcome: string; reason: string | null }> }, Record<string, never>>(
      `{ myLoginEvents(first: 5) { outcome reason } }`,
      {},
      token,
    );
    assert.deepEqual(events.data!.myLoginEvents.slice(0, 2), [
      { outcome: 'SUCCESS', reason: null },
      { outcome: 'FAILURE', reason: 'WRONG_PASSWORD' },
    ]);
  });

  it('sorts and filters a product page of reviews, and refuses a bad rating on its argument', async () => {
    type Page = { product: { reviews: { edges: Array<{ node: { rating: number } }> } } | null };
    const listing = await s.gql<{ products: { edges: Array<{ node: { id: string; reviewCount: number } }> } }, Record<string, never>>(
      `{ products(first: 40) { edges { node { id reviewCount: reviews(first: 1) { totalCount } } } } }`,
    );
    const edges = listing.data!.products.edges as unknown as Array<{ node: { id: string; reviewCount: { totalCount: number } } }>;
    const reviewed = edges.map((e) => e.node).sort((a, b) => b.reviewCount.totalCount - a.reviewCount.totalCount)[0]!;
    assert.ok(reviewed.reviewCount.totalCount >= 2, 'the seed has a product with several reviews');
    const page = (sort: string, rating?: number) =>
      s.gql<Page, Record<string, unknown>>(
        `query($id: ID!, $sort: ReviewSort, $rating: Int) { product(id: $id) { reviews(first: 50, sort: $sort, rating: $rating) { edges { node { rating } } } } }`,
        { id: reviewed.id, sort, rating },
      );
    const highest = (await page('HIGHEST')).data!.product!.reviews.edges.map((e) => e.node.rating);
    assert.deepEqual(
      highest,
      [...highest].sort((a, b) => b - a),
    );
    const lowest = (await page('LOWEST')).data!.product!.reviews.edges.map((e) => e.node.rating);
    assert.deepEqual(
      lowest,
      [...lowest].sort((a, b) => a - b),
    );
    const star = highest[0]!;
    const only = (await page('NEWEST', star)).data!.product!.reviews.edges.map((e) => e.node.rating);
    assert.ok(only.length > 0 && only.every((r) => r === star));
    const bad = await page('NEWEST', 6);
    assert.deepEqual(codes(bad), ['BAD_USER_INPUT']);
    assert.equal(bad.errors![0]!.extensions!.field, 'rating');
  });
});
