import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  addReview,
  aggregateVsReviews,
  identity,
  ratingEvents,
  ratingOf,
  startTestReviews,
  type RatingEvent,
  type TestReviews,
} from './helpers';

const buckets = (s5: number, s4: number, s3: number, s2: number, s1: number) => [
  { stars: 5, count: s5 },
  { stars: 4, count: s4 },
  { stars: 3, count: s3 },
  { stars: 2, count: s2 },
  { stars: 1, count: s1 },
];

describe('reviews: the product rating aggregate', () => {
  let t: TestReviews;
  before(async () => {
    t = await startTestReviews();
  });
  after(() => t.stop());

  /** Asserts the stored aggregate equals one recomputed from the reviews, then answers the API's view. */
  async function consistent(productId: string) {
    const { stored, computed } = await aggregateVsReviews(t, productId);
    assert.deepEqual(stored, computed, 'product_rating equals the aggregate over visible reviews');
    return ratingOf(t, productId);
  }

  it('answers no average and zero counts for a product without reviews', async () => {
    assert.deepEqual(await ratingOf(t, randomUUID()), { average: null, count: 0, distribution: buckets(0, 0, 0, 0, 0) });
    assert.deepEqual(await ratingOf(t, 'not-a-uuid'), { average: null, count: 0, distribution: buckets(0, 0, 0, 0, 0) });
  });

  it('stays exact through add, update, hide, unhide and delete, emitting each change', async () => {
    const p = t.product();
    const admin = identity('ADMIN');
    const [a, b, c] = [identity('CUSTOMER'), identity('CUSTOMER'), identity('CUSTOMER')];
    const ra = await addReview(t, a, p, 5);
    const rb = await addReview(t, b, p, 4);
    const rc = await addReview(t, c, p, 4);
    assert.deepEqual(await consistent(p), { average: 4.3, count: 3, distribution: buckets(1, 2, 0, 0, 0) }, '13/3 rounds to 4.3');

    await t.ok(`mutation($id: ID!) { updateReview(id: $id, input: { rating: 1 }) { id } }`, { id: rb.id }, b);
    assert.deepEqual(await consistent(p), { average: 3.3, count: 3, distribution: buckets(1, 1, 0, 0, 1) });
    // Same stars, new words: the aggregate does not move and nothing is emitted.
    await t.ok(`mutation($id: ID!) { updateReview(id: $id, input: { rating: 1, body: "Still bad" }) { id } }`, { id: rb.id }, b);

    await t.ok(`mutation($id: ID!) { hideReview(id: $id, reason: "abuse") { id } }`, { id: ra.id }, admin);
    assert.deepEqual(await consistent(p), { average: 2.5, count: 2, distribution: buckets(0, 1, 0, 0, 1) });
    // Hiding a hidden review changes only the reason; editing a hidden review leaves the aggregate alone.
    await t.ok(`mutation($id: ID!) { hideReview(id: $id, reason: "abuse, again") { id } }`, { id: ra.id }, admin);
    await t.ok(`mutation($id: ID!) { updateReview(id: $id, input: { rating: 2 }) { id } }`, { id: ra.id }, a);
    assert.deepEqual(await consistent(p), { average: 2.5, count: 2, distribution: buckets(0, 1, 0, 0, 1) });

    await t.ok(`mutation($id: ID!) { unhideReview(id: $id) { id } }`, { id: ra.id }, admin);
    assert.deepEqual(await consistent(p), { average: 2.3, count: 3, distribution: buckets(0, 1, 0, 1, 1) });
    await t.ok(`mutation($id: ID!) { unhideReview(id: $id) { id } }`, { id: ra.id }, admin);

    await t.ok(`mutation($id: ID!) { deleteReview(id: $id) }`, { id: rc.id }, c);
    assert.deepEqual(await consistent(p), { average: 1.5, count: 2, distribution: buckets(0, 0, 0, 1, 1) });
    await t.ok(`mutation($id: ID!) { hideReview(id: $id, reason: "x") { id } }`, { id: ra.id }, admin);
    await t.ok(`mutation($id: ID!) { deleteReview(id: $id) }`, { id: ra.id }, admin);
    assert.deepEqual(await consistent(p), { average: 1, count: 1, distribution: buckets(0, 0, 0, 0, 1) });
    await t.ok(`mutation($id: ID!) { deleteReview(id: $id) }`, { id: rb.id }, b);
    assert.deepEqual(await consistent(p), { average: null, count: 0, distribution: buckets(0, 0, 0, 0, 0) });

    assert.deepEqual(
      (await ratingEvents(t, p)).map((e) => [e.count, e.average]),
      [
        [1, 5],
        [2, 4.5],
        [3, 4.3],
        [3, 3.3],
        [2, 2.5],
        [3, 2.3],
        [2, 1.5],
        [1, 1],
        [0, null],
      ],
      'one event per aggregate change, none for changes that leave it alone',
    );
    assert.deepEqual(
      (await ratingEvents(t, p)).map((e) => e.version),
      [1, 2, 3, 4, 5, 6, 7, 8, 9],
      'each change moves the version on by one',
    );
    assert.deepEqual(await t.sql(`SELECT version FROM product_rating WHERE product_id = $1`, [p]), [{ version: '9' }]);
  });

  /** Every rating event of a product, in no particular order. */
  const allEvents = async (productId: string) =>
    (
      await t.sql<{ payload: RatingEvent }>(
        `SELECT payload FROM outbox_event WHERE type = 'reviews.product-rating.changed' AND payload->>'productId' = $1`,
        [productId],
      )
    ).map((r) => r.payload);

  it('versions concurrent changes in commit order: the highest version carries the final aggregate', async () => {
    const p = t.product();
    const ratings = Array.from({ length: 20 }, (_, i) => 1 + ((i * 3) % 5));
    await Promise.all(ratings.map((r) => addReview(t, identity('CUSTOMER'), p, r)));
    const events = await allEvents(p);
    const byVersion = [...events].sort((a, b) => a.version - b.version);
    assert.deepEqual(
      byVersion.map((e) => e.version),
      Array.from({ length: 20 }, (_, i) => i + 1),
      'one version per change: none shared, none skipped',
    );
    // Every change is an addition, so in commit order the count grows by one each time.
    assert.deepEqual(
      byVersion.map((e) => e.count),
      Array.from({ length: 20 }, (_, i) => i + 1),
      'version order is the order the aggregate changed in',
    );
    const latest = byVersion.at(-1)!;
    const rating = await consistent(p);
    assert.deepEqual([latest.count, latest.average], [20, rating.average], 'the highest version carries the final state');
    assert.deepEqual(await t.sql(`SELECT version FROM product_rating WHERE product_id = $1`, [p]), [{ version: '20' }]);
  });

  it('counts concurrent reviews of one product exactly', async () => {
    const p = t.product();
    const ratings = [5, 4, 3, 5, 1, 2, 5, 4, 4, 3];
    await Promise.all(ratings.map((r) => addReview(t, identity('CUSTOMER'), p, r)));
    const sum = ratings.reduce((x, y) => x + y, 0);
    const rating = await consistent(p);
    assert.deepEqual(rating, { average: Math.round((sum / 10) * 10) / 10, count: 10, distribution: buckets(3, 3, 2, 1, 1) });
    const [row] = await t.sql<{ sum: number }>(`SELECT sum FROM product_rating WHERE product_id = $1`, [p]);
    assert.equal(row!.sum, sum);
    const counts = (await ratingEvents(t, p)).map((e) => e.count).sort((x, y) => x - y);
    assert.deepEqual(counts, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 'each add saw the previous one: no lost update');
  });

  it('stays exact under concurrent mixed changes', async () => {
    const p = t.product();
    const admin = identity('ADMIN');
    const authors = Array.from({ length: 8 }, () => identity('CUSTOMER'));
    const reviews = await Promise.all(authors.map((a, i) => addReview(t, a, p, 1 + (i % 5))));
    await Promise.all([
      ...reviews
        .slice(0, 3)
        .map((r, i) => t.ok(`mutation($id: ID!) { updateReview(id: $id, input: { rating: 5 }) { id } }`, { id: r.id }, authors[i])),
      ...reviews.slice(3, 5).map((r) => t.ok(`mutation($id: ID!) { hideReview(id: $id, reason: "x") { id } }`, { id: r.id }, admin)),
      t.ok(`mutation($id: ID!) { deleteReview(id: $id) }`, { id: reviews[5]!.id }, authors[5]),
      ...Array.from({ length: 4 }, () => addReview(t, identity('CUSTOMER'), p, 2)),
      // The same review changed twice at once: its row lock keeps the aggregate right.
      t.ok(`mutation($id: ID!) { updateReview(id: $id, input: { rating: 4 }) { id } }`, { id: reviews[6]!.id }, authors[6]),
      t.ok(`mutation($id: ID!) { hideReview(id: $id, reason: "x") { id } }`, { id: reviews[6]!.id }, admin),
    ]);
    const rating = await consistent(p);
    assert.equal(rating.count, 8 - 2 - 1 - 1 + 4);
    const byVersion = (await allEvents(p)).sort((a, b) => a.version - b.version);
    assert.deepEqual(
      byVersion.map((e) => e.version),
      byVersion.map((_e, i) => i + 1),
      'strictly increasing versions, one per change',
    );
    const latest = byVersion.at(-1)!;
    assert.deepEqual([latest.count, latest.average], [rating.count, rating.average], 'the highest version is the final state');
  });
});
