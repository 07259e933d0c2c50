import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { encodeCursor } from '@fashionistar/shared';
import { reviewPageQuery, type PageCursor, type ReviewListOwner } from '../src/loaders/review.loaders';
type ListOptions = NonNullable<Parameters<typeof reviewPageQuery>[5]>;
import { addReview, codes, fields, identity, startTestReviews, type ReviewView, type TestReviews } from './helpers';

const PRODUCTS = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Product {
  id rating { average count distribution { stars count } }
  reviews(first: 2) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id rating myVote createdAt author { id } product { id } } } }
} } }`;
const USERS = `query($r: [_Any!]!) { _entities(representations: $r) { ... on User {
  id reviews(first: 5) { totalCount edges { node { id status product { id } } } }
} } }`;
const PAGE = `query($r: [_Any!]!, $first: Int, $after: String) { _entities(representations: $r) { ... on Product {
  reviews(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id } } }
} } }`;

interface ProductView {
  id: string;
  rating: { average: number | null; count: number };
  reviews: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: Array<{ cursor: string; node: Pick<ReviewView, 'id' | 'rating' | 'myVote' | 'createdAt' | 'author' | 'product'> }>;
  };
}
interface PageView {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: Array<{ cursor: string; node: { id: string } }>;
}

const reps = (typename: string, ids: string[]) => ids.map((id) => ({ __typename: typename, id }));

describe('reviews: entities for other subgraphs, batching and pagination', () => {
  let t: TestReviews;
  const products: string[] = [];
  const users = Array.from({ length: 50 }, () => identity('CUSTOMER'));
  const reviewIds: string[] = [];
  let hiddenId = '';
  const voter = identity('CUSTOMER');

  before(async () => {
    t = await startTestReviews();
    for (let i = 0; i < 50; i++) products.push(t.product());
    // Product i is reviewed by users i and i+1; every third product by a third user too.
    const made = await Promise.all(
      products.flatMap((p, i) => [
        addReview(t, users[i]!, p, 1 + (i % 5)),
        addReview(t, users[(i + 1) % 50]!, p, 5),
        ...(i % 3 === 0 ? [addReview(t, users[(i + 2) % 50]!, p, 3)] : []),
      ]),
    );
    reviewIds.push(...made.map((r) => r.id));
    await t.ok(`mutation($id: ID!) { voteReview(id: $id, helpful: true) { id } }`, { id: made[0]!.id }, voter);
    hiddenId = made[1]!.id;
    await t.ok(`mutation($id: ID!) { hideReview(id: $id, reason: "x") { id } }`, { id: hiddenId }, identity('ADMIN'));
  });
  after(() => t.stop());

  it('resolves Product ratings and first reviews for many products in a constant number of statements', async () => {
    const few = await t.call<{ _entities: ProductView[] }>(PRODUCTS, { r: reps('Product', products.slice(0, 5)) }, voter);
    const many = await t.call<{ _entities: ProductView[] }>(PRODUCTS, { r: reps('Product', products) }, voter);
    assert.equal(many.errors, undefined);
    assert.equal(many.data!._entities.length, 50);
    assert.ok(
      many.sqlStatements > 0 && many.sqlStatements <= 3,
      `rating, reviews and votes in one statement each, got ${many.sqlStatements}`,
    );
    assert.equal(many.sqlStatements, few.sqlStatements, 'the statement count does not grow with the number of products');

    for (const [i, p] of many.data!._entities.entries()) {
      assert.equal(p.id, products[i]);
      const expected = 2 + (i % 3 === 0 ? 1 : 0) - (i === 0 ? 1 : 0);
      assert.equal(p.rating.count, expected);
      assert.equal(p.reviews.totalCount, expected);
      assert.equal(p.reviews.pageInfo.hasNextPage, expected > 2);
      assert.ok(
        p.reviews.edges.every((e) => e.node.product.id === p.id),
        'each product gets its own reviews',
      );
      const times = p.reviews.edges.map((e) => Date.parse(e.node.createdAt));
      assert.deepEqual(
        times,
        [...times].sort((a, b) => b - a),
        'newest first',
      );
    }
    const first = many.data!._entities[0]!;
    assert.deepEqual(
      new Map(first.reviews.edges.map((e) => [e.node.id, e.node.myVote])),
      new Map([
        [reviewIds[0], true],
        [reviewIds[2], null],
      ]),
      "the hidden review is left out, the caller's vote is shown",
    );

    const admin = identity('ADMIN');
    const fewAdmin = await t.call<{ _entities: ProductView[] }>(PRODUCTS, { r: reps('Product', products.slice(0, 5)) }, admin);
    const manyAdmin = await t.call<{ _entities: ProductView[] }>(PRODUCTS, { r: reps('Product', products) }, admin);
    assert.equal(manyAdmin.sqlStatements, fewAdmin.sqlStatements);
    assert.ok(manyAdmin.sqlStatements <= 4, `got ${manyAdmin.sqlStatements}`);
    assert.equal(manyAdmin.data!._entities[0]!.reviews.totalCount, 3, 'admins count hidden reviews too');
    assert.equal(manyAdmin.data!._entities[0]!.rating.count, 2, 'the rating counts visible reviews only');
  });

  it('resolves User reviews for many users in a constant number of statements', async () => {
    type UserView = {
      id: string;
      reviews: { totalCount: number; edges: Array<{ node: { id: string; status: string; product: { id: string } } }> };
    };
    const few = await t.call<{ _entities: UserView[] }>(USERS, {
      r: reps(
        'User',
        users.slice(0, 5).map((u) => u.userId),
      ),
    });
    const many = await t.call<{ _entities: UserView[] }>(USERS, { r: reps('User', [...users.map((u) => u.userId), randomUUID(), 'nope']) });
    assert.equal(many.errors, undefined);
    assert.ok(many.sqlStatements > 0 && many.sqlStatements <= 2, `got ${many.sqlStatements}`);
    assert.equal(many.sqlStatements, few.sqlStatements);
    const got = many.data!._entities;
    for (const [k, u] of got.slice(0, 50).entries()) {
      // User k wrote for products k and k-1, and for k-2 when that index is a multiple of 3.
      const wrote = [k, (k + 49) % 50, ...(((k + 48) % 50) % 3 === 0 ? [(k + 48) % 50] : [])].map((i) => products[i]!);
      // User 1's review of product 0 is the hidden one.
      const visible = wrote.filter((_, j) => !(k === 1 && j === 1));
      assert.equal(u.reviews.totalCount, visible.length, `user ${k}`);
      assert.deepEqual(u.reviews.edges.map((e) => e.node.product.id).sort(), [...visible].sort());
      assert.ok(u.reviews.edges.every((e) => e.node.status === 'VISIBLE'));
    }
    assert.deepEqual(
      got.slice(50).map((u) => u.reviews.totalCount),
      [0, 0],
      'unknown users have no reviews',
    );
  });

  it('resolves Review references in one statement, hiding hidden ones from the public', async () => {
    const q = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Review { id rating product { id } } } }`;
    const ids = [...reviewIds, randomUUID(), 'not-a-uuid'];
    const r = await t.call<{ _entities: Array<{ id: string } | null> }>(q, { r: reps('Review', ids) });
    assert.equal(r.errors, undefined);
    assert.equal(r.sqlStatements, 1);
    assert.deepEqual(
      r.data!._entities.map((e) => e?.id ?? null),
      ids.map((id, i) => (i < reviewIds.length && id !== hiddenId ? id : null)),
    );
    const admin = await t.call<{ _entities: Array<{ id: string } | null> }>(q, { r: reps('Review', [hiddenId]) }, identity('ADMIN'));
    assert.equal(admin.data!._entities[0]!.id, hiddenId);
  });

  it('pages newest first with keyset cursors that stay stable when reviews are added', async () => {
    const p = t.product();
    const original: string[] = [];
    for (let i = 0; i < 7; i++) {
      original.unshift((await addReview(t, identity('CUSTOMER'), p, 1 + (i % 5))).id);
      await new Promise((res) => setTimeout(res, 3));
    }
    const page = async (first: number, after?: string | null) =>
      (await t.ok<{ _entities: Array<{ reviews: PageView }> }>(PAGE, { r: reps('Product', [p]), first, after }))._entities[0]!.reviews;
    const seen: string[] = [];
    let current = await page(3);
    seen.push(...current.edges.map((e) => e.node.id));
    assert.deepEqual(seen, original.slice(0, 3));
    assert.equal(current.totalCount, 7);
    // New reviews land before the cursor: the next pages neither repeat nor skip a review.
    await addReview(t, identity('CUSTOMER'), p, 5);
    await addReview(t, identity('CUSTOMER'), p, 4);
    while (current.pageInfo.hasNextPage) {
      current = await page(3, current.pageInfo.endCursor);
      seen.push(...current.edges.map((e) => e.node.id));
    }
    assert.deepEqual(seen, original);
    assert.equal(current.totalCount, 9);
    assert.equal(current.pageInfo.endCursor, current.edges.at(-1)!.cursor);
  });

  it('breaks ties on equal timestamps by id, so no review is lost between pages', async () => {
    const p = t.product();
    await Promise.all(Array.from({ length: 5 }, () => addReview(t, identity('CUSTOMER'), p, 4)));
    await t.sql(`UPDATE review SET created_at = '2026-01-01T00:00:00.000Z' WHERE product_id = $1`, [p]);
    const expected = (await t.sql<{ id: string }>(`SELECT id FROM review WHERE product_id = $1 ORDER BY id DESC`, [p])).map((r) => r.id);
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const d: { _entities: Array<{ reviews: PageView }> } = await t.ok(PAGE, { r: reps('Product', [p]), first: 2, after });
      const pg = d._entities[0]!.reviews;
      seen.push(...pg.edges.map((e) => e.node.id));
      if (!pg.pageInfo.hasNextPage) break;
      after = pg.pageInfo.endCursor;
    }
    assert.deepEqual(seen, expected);
  });

  it('refuses bad page arguments naming the field', async () => {
    const r = reps('Product', [products[0]!]);
    for (const [vars, field] of [
      [{ first: 0 }, 'first'],
      [{ first: 51 }, 'first'],
      [{ first: 2, after: 'garbage' }, 'after'],
      [{ first: 2, after: encodeCursor(['yesterday', 'x']) }, 'after'],
      [{ first: 2, after: encodeCursor([1]) }, 'after'],
      // Values of the wrong type or format: none may reach Postgres (a cast error there is an
      // internal error) or page from a position no review has.
      [{ first: 2, after: encodeCursor([null, null]) }, 'after'],
      [{ first: 2, after: encodeCursor(['x', 'y']) }, 'after'],
      [{ first: 2, after: encodeCursor([randomUUID(), '2026-01-01T00:00:00.000Z']) }, 'after'],
      [{ first: 2, after: encodeCursor(['1', randomUUID()]) }, 'after'],
      [{ first: 2, after: encodeCursor(['2026-02-30T00:00:00.000Z', randomUUID()]) }, 'after'],
      [{ first: 2, after: encodeCursor(['2026-13-45T00:00:00.000Z', randomUUID()]) }, 'after'],
      [{ first: 2, after: encodeCursor(['2026-01-01', randomUUID()]) }, 'after'],
      [{ first: 2, after: encodeCursor([1767225600000, randomUUID()]) }, 'after'],
    ] as const) {
      const res = await t.call(PAGE, { r, ...vars });
      assert.deepEqual([codes(res), fields(res)], [['BAD_USER_INPUT'], [field]], JSON.stringify(vars));
    }
  });

  it('reads at most first + 1 reviews per product or author, however many they have', async () => {
    const [busy, quiet] = [t.product(), t.product()];
    const author = identity('CUSTOMER').userId;
    // 400 reviews of one product, 5 of another, 300 by one author (of as many products); a tenth hidden.
    await t.sql(
      `INSERT INTO review (id, product_id, author_id, rating, body, status, hidden_reason, created_at)
       SELECT gen_random_uuid(), CASE WHEN g <= 400 THEN $1::uuid WHEN g <= 405 THEN $2::uuid ELSE gen_random_uuid() END,
              CASE WHEN g > 405 THEN $3::uuid ELSE gen_random_uuid() END, 1 + g % 5, 'Nice',
              CASE WHEN g % 10 = 0 THEN 'HIDDEN' ELSE 'VISIBLE' END, CASE WHEN g % 10 = 0 THEN 'spam' END,
              now() - g * interval '1 minute'
         FROM generate_series(1, 705) g`,
      [busy, quiet, author],
    );
    // Statistics that know most products have a few reviews: what misleads a plain LATERAL join
    // into fetching all of one product's reviews and sorting them.
    await t.sql(`ANALYZE review`);
    /**
     * Runs one page statement and counts the review rows it read (fetched, even if filtered out)
     * with the backend's not yet reported table counters, read before and after it.
     */
    const read = async (owner: ReviewListOwner, admin: boolean, ids: string[], cursor: PageCursor, o: ListOptions = {}) => {
      const qr = t.server.dataSource.createQueryRunner();
      await qr.connect();
      await qr.startTransaction();
      const counter = async () =>
        (
          (await qr.query(
            `SELECT (seq_tup_read + coalesce(idx_tup_fetch, 0))::int AS n FROM pg_stat_xact_user_tables WHERE relid = 'review'::regclass`,
          )) as Array<{ n: number }>
        )[0]!.n;
      try {
        const before = await counter();
        const { sql, params } = reviewPageQuery(owner, ids, 3, admin, cursor, o);
        const rows: unknown[] = await qr.query(sql, params);
        return { rows: rows.length, read: (await counter()) - before };
      } finally {
        await qr.rollbackTransaction();
        await qr.release();
      }
    };
    /** A cursor 100 reviews deep into the owner's list. */
    const after = async (col: 'product_id' | 'author_id', id: string): Promise<PageCursor> => {
      const [r] = await t.sql<{ created_at: Date; id: string }>(
        `SELECT created_at, id FROM review WHERE ${col} = $1 ORDER BY created_at DESC, id DESC OFFSET 100 LIMIT 1`,
        [id],
      );
      return { key: null, createdAt: r!.created_at.toISOString(), id: r!.id };
    };
    const [byProduct, byAuthor] = [await after('product_id', busy), await after('author_id', author)];
    /** A cursor 100 reviews deep into the busy product's HIGHEST list. */
    const [deep] = await t.sql<{ rating: number; created_at: Date; id: string }>(
      `SELECT rating, created_at, id FROM review WHERE product_id = $1 AND status = 'VISIBLE' ORDER BY rating DESC, created_at DESC, id DESC OFFSET 100 LIMIT 1`,
      [busy],
    );
    const byHighest: PageCursor = { key: deep!.rating, createdAt: deep!.created_at.toISOString(), id: deep!.id };
    // Every sort and the star filter walk their index too.
    for (const [o, cursor] of [
      [{ sort: 'HIGHEST' }, null],
      [{ sort: 'HIGHEST' }, byHighest],
      [{ sort: 'LOWEST' }, null],
      [{ sort: 'MOST_HELPFUL' }, null],
      [{ rating: 4 }, null],
      [{ sort: 'LOWEST', rating: 2 }, null],
    ] as const) {
      const { rows, read: n } = await read('product', false, [busy, quiet], cursor, o);
      assert.ok(rows >= 4 && rows <= 6, `${JSON.stringify(o)}: ${rows} rows`);
      assert.ok(n <= 2 * 4 + 2, `${JSON.stringify(o)} (cursor ${cursor !== null}) read ${n} review rows`);
    }
    // Three rows per owner (a page of two and the look-ahead), plus a hidden one skipped on the way.
    for (const [owner, admin, ids, cursor] of [
      ['product', false, [busy, quiet], null],
      ['product', true, [busy, quiet], null],
      ['product', false, [busy, quiet], byProduct],
      ['author', false, [author], null],
      ['author', true, [author], byAuthor],
    ] as const) {
      const { rows, read: n } = await read(owner, admin, [...ids], cursor);
      assert.equal(rows, ids.length * 3);
      assert.ok(n <= ids.length * 4, `${owner} page (admin ${admin}, cursor ${cursor !== null}) read ${n} review rows`);
    }
  });
});
