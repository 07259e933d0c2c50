import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createLogger, type Identity } from '@fashionistar/shared';
import { backfillReviewVendors } from '../src/services/backfill.service';
import { addReview, codes, fields, identity, startTestReviews, type TestReviews } from './helpers';

const log = createLogger('reviews-lists-test', 'silent');

/** Review lists: a product's in four sorts with a star filter, and a store's inbox for its members. */

type Page = {
  edges: Array<{ cursor: string; node: { id: string; rating: number; helpfulCount: number; reply: { body: string } | null } }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number;
};
const NODE = `edges { cursor node { id rating helpfulCount reply { body } } } pageInfo { hasNextPage endCursor } totalCount`;
const PRODUCT_PAGE = `query($r: [_Any!]!, $first: Int, $after: String, $sort: ReviewSort, $rating: Int) {
  _entities(representations: $r) { ... on Product { reviews(first: $first, after: $after, sort: $sort, rating: $rating) { ${NODE} } } } }`;
const INBOX = `query($r: [_Any!]!, $first: Int, $after: String, $sort: ReviewSort, $rating: Int, $unreplied: Boolean) {
  _entities(representations: $r) { ... on Vendor { reviews(first: $first, after: $after, sort: $sort, rating: $rating, unreplied: $unreplied) { ${NODE} } } } }`;

describe('reviews: sorted and filtered lists, and the store inbox', () => {
  let t: TestReviews;
  before(async () => {
    t = await startTestReviews();
  });
  after(() => t.stop());

  /** A product of `vendorId` with reviews of these stars, oldest first, the i-th with i helpful votes. */
  async function reviewed(stars: number[], vendorId = randomUUID()): Promise<{ productId: string; ids: string[] }> {
    const productId = t.product('PUBLISHED', vendorId);
    const ids: string[] = [];
    for (const [i, s] of stars.entries()) {
      const r = await addReview(t, identity('CUSTOMER'), productId, s);
      await t.sql(`UPDATE review SET created_at = now() - ($2 || ' minutes')::interval, helpful_count = $3 WHERE id = $1`, [
        r.id,
        String(100 - i),
        (i * 7) % 5,
      ]);
      ids.push(r.id);
    }
    return { productId, ids };
  }

  /** Every review of a list, page by page (`first` at a time), as the client would walk it. */
  async function walk(query: string, rep: Record<string, unknown>, vars: Record<string, unknown>, as?: Identity) {
    const seen: Page['edges'] = [];
    let afterCursor: string | null = null;
    let total = -1;
    for (let i = 0; i < 20; i++) {
      const d: { _entities: Array<{ reviews: Page }> } = await t.ok(query, { r: [rep], first: 2, after: afterCursor, ...vars }, as);
      const page: Page = d._entities[0]!.reviews;
      seen.push(...page.edges);
      total = page.totalCount;
      if (!page.pageInfo.hasNextPage) break;
      afterCursor = page.pageInfo.endCursor;
    }
    return { nodes: seen.map((e) => e.node), total };
  }

  it('sorts a product’s reviews four ways, paging without skipping or repeating, and filters by stars', async () => {
    const stars = [5, 1, 3, 5, 2, 4, 3];
    const { productId, ids } = await reviewed(stars);
    const rep = { __typename: 'Product', id: productId };
    const all = ids.map((id, i) => ({ id, rating: stars[i]!, helpful: (i * 7) % 5, age: i }));
    // Newest = highest index (created 100 - i minutes ago).
    const newest = [...all].sort((a, b) => b.age - a.age);
    const expected: Record<string, string[]> = {
      NEWEST: newest.map((r) => r.id),
      HIGHEST: [...newest].sort((a, b) => b.rating - a.rating).map((r) => r.id),
      LOWEST: [...newest].sort((a, b) => a.rating - b.rating).map((r) => r.id),
      MOST_HELPFUL: [...newest].sort((a, b) => b.helpful - a.helpful).map((r) => r.id),
    };
    for (const [sort, order] of Object.entries(expected)) {
      const { nodes, total } = await walk(PRODUCT_PAGE, rep, { sort });
      assert.deepEqual(
        nodes.map((n) => n.id),
        order,
        sort,
      );
      assert.equal(total, stars.length);
    }
    const fives = await walk(PRODUCT_PAGE, rep, { sort: 'NEWEST', rating: 5 });
    assert.deepEqual([fives.nodes.map((n) => n.id), fives.total], [[ids[3], ids[0]], 2]);
    const threesLowest = await walk(PRODUCT_PAGE, rep, { sort: 'LOWEST', rating: 3 });
    assert.deepEqual([threesLowest.nodes.map((n) => n.id), threesLowest.total], [[ids[6], ids[2]], 2]);
  });

  it('refuses a bad star filter, page size or cursor on the argument at fault, all at once', async () => {
    const { productId } = await reviewed([4, 5, 3]);
    const r = { r: [{ __typename: 'Product', id: productId }] };
    for (const rating of [0, 6, -1]) {
      const res = await t.call(PRODUCT_PAGE, { ...r, rating });
      assert.deepEqual([codes(res), fields(res)], [['BAD_USER_INPUT'], ['rating']], String(rating));
    }
    const both = await t.call(PRODUCT_PAGE, { ...r, rating: 9, first: 51 });
    assert.deepEqual(
      (both.errors![0]!.extensions!.fields as Array<{ path: string }>).map((f) => f.path),
      ['first', 'rating'],
    );
    // A cursor belongs to its sort: another sort's cursor is not valid here.
    const d = await t.ok<{ _entities: Array<{ reviews: Page }> }>(PRODUCT_PAGE, { ...r, first: 1, sort: 'HIGHEST' });
    const highest = d._entities[0]!.reviews.pageInfo.endCursor;
    for (const sort of ['NEWEST', 'LOWEST']) {
      const res = await t.call(PRODUCT_PAGE, { ...r, first: 1, sort, after: highest });
      assert.deepEqual([codes(res), fields(res)], [['BAD_USER_INPUT'], ['after']], sort);
    }
    const next = await t.ok<{ _entities: Array<{ reviews: Page }> }>(PRODUCT_PAGE, { ...r, first: 1, sort: 'HIGHEST', after: highest });
    assert.equal(next._entities[0]!.reviews.edges[0]!.node.rating, 4);
  });

  it('answers a page of many products in any sort in one statement for the rows and one for the totals', async () => {
    const products = await Promise.all([0, 1, 2, 3, 4].map(() => reviewed([3, 5, 1])));
    const reps = products.map((p) => ({ __typename: 'Product', id: p.productId }));
    for (const sort of ['NEWEST', 'HIGHEST', 'LOWEST', 'MOST_HELPFUL']) {
      const res = await t.call<{ _entities: Array<{ reviews: Page }> }>(PRODUCT_PAGE, { r: reps, first: 2, sort, rating: 5 });
      assert.equal(res.errors, undefined);
      assert.ok(res.data!._entities.every((e) => e.reviews.totalCount === 1 && e.reviews.edges.length === 1));
      assert.ok(res.sqlStatements <= 2, `${sort}: ${res.sqlStatements} statements`);
    }
  });

  it('opens a store’s inbox to its members and admins only, filtered and sorted, hidden reviews for admins', async () => {
    const vendorId = randomUUID();
    const a = await reviewed([5, 2], vendorId);
    const b = await reviewed([1, 4, 3], vendorId);
    await reviewed([5], randomUUID()); // another store's
    const owner = identity('VENDOR');
    const staff = identity('CUSTOMER');
    t.fixtures.members.set(`${vendorId}:${owner.userId}`, 'OWNER');
    t.fixtures.members.set(`${vendorId}:${staff.userId}`, 'STAFF');
    const rep = { __typename: 'Vendor', id: vendorId };
    // The store replies to one review; an admin hides another.
    await t.ok(`mutation($id: ID!) { replyToReview(id: $id, body: "Thank you!") { id } }`, { id: b.ids[1] }, owner);
    await t.ok(`mutation($id: ID!) { hideReview(id: $id, reason: "Spam") { id } }`, { id: a.ids[1] }, identity('ADMIN'));

    const mine = await walk(INBOX, rep, {}, owner);
    assert.deepEqual(
      mine.nodes.map((n) => n.id),
      [b.ids[2], b.ids[1], b.ids[0], a.ids[0]],
      'every visible review of the store’s products, newest first',
    );
    assert.equal(mine.total, 4);
    assert.deepEqual((await walk(INBOX, rep, {}, staff)).nodes.length, 4, 'STAFF may reply, so STAFF reads the inbox');
    const unreplied = await walk(INBOX, rep, { unreplied: true }, owner);
    assert.deepEqual([unreplied.nodes.map((n) => n.id), unreplied.total], [[b.ids[2], b.ids[0], a.ids[0]], 3]);
    const lowestUnreplied = await walk(INBOX, rep, { unreplied: true, sort: 'LOWEST' }, owner);
    assert.deepEqual(
      lowestUnreplied.nodes.map((n) => n.rating),
      [1, 3, 5],
    );
    const fives = await walk(INBOX, rep, { rating: 5, sort: 'MOST_HELPFUL' }, owner);
    assert.deepEqual([fives.nodes.map((n) => n.id), fives.total], [[a.ids[0]], 1]);
    const admin = await walk(INBOX, rep, {}, identity('ADMIN'));
    assert.equal(admin.total, 5, 'admins see the hidden review too');

    for (const [who, code] of [
      [identity('CUSTOMER'), 'FORBIDDEN'],
      [identity('VENDOR'), 'FORBIDDEN'],
      [undefined, 'UNAUTHENTICATED'],
    ] as const) {
      const res = await t.call<{ _entities: Array<{ reviews: Page | null }> }>(INBOX, { r: [rep] }, who);
      assert.deepEqual([codes(res), res.data?._entities[0]?.reviews], [[code], null], 'null inbox, the store itself still answers');
    }
    const unknown = await t.call(INBOX, { r: [{ __typename: 'Vendor', id: randomUUID() }] }, owner);
    assert.deepEqual(codes(unknown), ['FORBIDDEN']);
  });

  it('answers the inboxes of many stores in one vendors call, one statement for rows and one for totals', async () => {
    const owner = identity('VENDOR');
    const stores = [randomUUID(), randomUUID(), randomUUID()];
    for (const v of stores) {
      await reviewed([4, 2], v);
      t.fixtures.members.set(`${v}:${owner.userId}`, 'OWNER');
    }
    const before = t.calls.length;
    const res = await t.call<{ _entities: Array<{ reviews: Page }> }>(
      INBOX,
      { r: stores.map((id) => ({ __typename: 'Vendor', id })), first: 1, unreplied: true },
      owner,
    );
    assert.equal(res.errors, undefined);
    assert.deepEqual(
      res.data!._entities.map((e) => [e.reviews.edges.length, e.reviews.totalCount]),
      stores.map(() => [1, 2]),
    );
    assert.deepEqual(
      t.calls.slice(before).map((c) => [c.field, c.ids.length]),
      [['storeAccess', 3]],
    );
    assert.ok(res.sqlStatements <= 2, `got ${res.sqlStatements}`);
  });

  it('records the store with every new review, and backfills older ones from the catalog', async () => {
    const vendorId = randomUUID();
    const { productId, ids } = await reviewed([4], vendorId);
    const [row] = await t.sql<{ vendor_id: string }>(`SELECT vendor_id FROM review WHERE id = $1`, [ids[0]]);
    assert.equal(row!.vendor_id, vendorId);
    // Reviews from before the inbox: the catalog knows one product, not the other.
    const gone = randomUUID();
    await t.sql(
      `INSERT INTO review (id, product_id, author_id, rating, body) VALUES (gen_random_uuid(), $1, gen_random_uuid(), 3, 'Old'),
       (gen_random_uuid(), $1, gen_random_uuid(), 4, 'Older'), (gen_random_uuid(), $2, gen_random_uuid(), 2, 'Orphan')`,
      [productId, gone],
    );
    const filled = await backfillReviewVendors(t.server.dataSource, t.server.deps.internal, t.infra, log);
    assert.ok(filled >= 2);
    const left = await t.sql<{ product_id: string }>(`SELECT product_id FROM review WHERE vendor_id IS NULL`);
    assert.deepEqual(
      left.map((r) => r.product_id),
      [gone],
      'only the product the catalog does not know stays unknown',
    );
    assert.equal(await backfillReviewVendors(t.server.dataSource, t.server.deps.internal, t.infra, log), 0);
  });
});
