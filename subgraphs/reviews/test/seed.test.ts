import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { DataSource, EntityManager } from 'typeorm';
import { createLogger, seedUuid } from '@fashionistar/shared';
import { SEED_AUTHORS, seedCustomerId, seedProductId, seedReviews } from '../src/seed/seed';
import { addReview, identity, ratingOf, startTestReviews, type TestReviews } from './helpers';

const log = createLogger('reviews-seed-test', 'silent');

describe('reviews: demo seed', () => {
  let t: TestReviews;
  before(async () => {
    // Seeded at start-up, as `npm start` does, at a small scale.
    t = await startTestReviews({ SEED: 'true', SEED_SCALE: '100' });
  });
  after(() => t.stop());

  /** Rows where the stored aggregate and one recomputed from the reviews disagree (either side missing included). */
  const mismatches = () =>
    t.sql(
      `WITH computed AS (
         SELECT product_id, count(*)::int AS count, sum(rating)::int AS sum,
                count(*) FILTER (WHERE rating = 1)::int AS s1, count(*) FILTER (WHERE rating = 2)::int AS s2,
                count(*) FILTER (WHERE rating = 3)::int AS s3, count(*) FILTER (WHERE rating = 4)::int AS s4,
                count(*) FILTER (WHERE rating = 5)::int AS s5
           FROM review WHERE status = 'VISIBLE' GROUP BY product_id
       ), stored AS (
         SELECT product_id, count, sum, stars_1 AS s1, stars_2 AS s2, stars_3 AS s3, stars_4 AS s4, stars_5 AS s5
           FROM product_rating WHERE count > 0
       )
       (SELECT * FROM computed EXCEPT SELECT * FROM stored) UNION ALL (SELECT * FROM stored EXCEPT SELECT * FROM computed)`,
    );
  const snapshot = async () =>
    (await t.sql<{ h: string }>(`SELECT md5(string_agg(r::text, ',' ORDER BY r.id)) AS h FROM review r`))[0]!.h +
    (
      await t.sql<{ h: string }>(
        `SELECT md5(string_agg(concat_ws(':', product_id, count, sum), ',' ORDER BY product_id)) AS h FROM product_rating`,
      )
    )[0]!.h;

  it('reviews about 60 % of the demo products, 1 to 5 reviews each by the seeded customers', async () => {
    assert.equal(seedProductId(7), seedUuid('product:7'));
    const perProduct = await t.sql<{ product_id: string; n: number }>(
      `SELECT product_id, count(*)::int AS n FROM review GROUP BY product_id`,
    );
    assert.equal(perProduct.length, 60);
    const demo = new Set(Array.from({ length: 100 }, (_, i) => seedProductId(i + 1)));
    assert.ok(perProduct.every((p) => demo.has(p.product_id) && p.n >= 1 && p.n <= 5));
    assert.deepEqual([...new Set(perProduct.map((p) => p.n))].sort(), [1, 2, 3, 4, 5], 'every size from 1 to 5 occurs');
    const authors = await t.sql<{ author_id: string }>(`SELECT DISTINCT author_id FROM review`);
    const customers = new Set(Array.from({ length: SEED_AUTHORS }, (_, k) => seedCustomerId(k + 1)));
    assert.ok(authors.every((a) => customers.has(a.author_id)));
    assert.equal(customers.has(seedUuid('user:customer1@fashionistar.test')), true);
    const stars = await t.sql<{ rating: number }>(`SELECT DISTINCT rating FROM review ORDER BY rating`);
    assert.deepEqual(
      stars.map((s) => s.rating),
      [1, 2, 3, 4, 5],
      'a spread of ratings',
    );
    const bodies = await t.sql<{ n: number }>(`SELECT count(DISTINCT body)::int AS n FROM review`);
    assert.ok(bodies[0]!.n >= 10, 'varied bodies');
    // No event per seeded row: one ratings snapshot per 1,000 rated products, for the catalog's copy.
    const events = await t.sql<{ type: string; n: number }>(
      `SELECT type, jsonb_array_length(payload->'ratings')::int AS n FROM outbox_event`,
    );
    const [rated] = await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM product_rating`);
    assert.ok(
      events.every((e) => e.type === 'reviews.ratings.snapshot'),
      'only snapshots',
    );
    assert.equal(events.length, Math.ceil(rated!.n / 1000));
    assert.equal(
      events.reduce((sum, e) => sum + e.n, 0),
      rated!.n,
      'every rated product is in one snapshot',
    );
    // Each entry carries the aggregate's version, as `reviews.product-rating.changed` does.
    const entries = await t.sql<{ entry: Record<string, unknown>; version: string; count: number }>(
      `SELECT e AS entry, pr.version, pr.count FROM outbox_event o
         CROSS JOIN LATERAL jsonb_array_elements(o.payload->'ratings') e
         JOIN product_rating pr ON pr.product_id = (e->>'productId')::uuid
        WHERE o.type = 'reviews.ratings.snapshot'`,
    );
    assert.equal(entries.length, rated!.n);
    for (const { entry, version, count } of entries) {
      assert.deepEqual(Object.keys(entry).sort(), ['average', 'count', 'productId', 'version']);
      assert.equal(entry.version, 1, 'a freshly seeded aggregate is version 1');
      assert.equal(String(entry.version), version);
      assert.equal(entry.count, count);
    }
  });

  it('fills the aggregate consistently and is idempotent', async () => {
    assert.deepEqual(await mismatches(), []);
    const before = await snapshot();
    assert.equal(await seedReviews(t.server.dataSource, log, 100), 0);
    assert.equal(await snapshot(), before, 'a second run changes nothing');
    assert.deepEqual(await mismatches(), []);
    const seeded = await t.sql<{ product_id: string; count: number; sum: number }>(
      `SELECT product_id, count, sum FROM product_rating LIMIT 1`,
    );
    const rating = await ratingOf(t, seeded[0]!.product_id);
    assert.equal(rating.count, seeded[0]!.count);
    assert.equal(rating.average, Math.round((seeded[0]!.sum / seeded[0]!.count) * 10) / 10);
  });

  it('keeps the aggregate right when the scale grows over products that already have real reviews', async () => {
    // Product 102 is in the seeded 60 % (102 * 7 % 10 = 4); a customer reviews it before it is seeded.
    const productId = seedProductId(102);
    t.fixtures.products.set(productId, { vendorId: seedUuid('vendor:1'), status: 'PUBLISHED' });
    await addReview(t, identity('CUSTOMER'), productId, 1);
    const inserted = await seedReviews(t.server.dataSource, log, 150);
    assert.ok(inserted > 0);
    assert.deepEqual(await mismatches(), []);
    const [row] = await t.sql<{ count: number; version: string }>(`SELECT count, version FROM product_rating WHERE product_id = $1`, [
      productId,
    ]);
    assert.ok(row!.count >= 2, 'the real review and the seeded ones are all counted');
    assert.equal(row!.version, '2', 'the seed changed the aggregate the review made (version 1): version 2');
    const [snap] = await t.sql<{ entry: { count: number; version: number } }>(
      `SELECT e AS entry FROM outbox_event o CROSS JOIN LATERAL jsonb_array_elements(o.payload->'ratings') e
        WHERE o.type = 'reviews.ratings.snapshot' AND e->>'productId' = $1 ORDER BY (e->>'version')::bigint DESC LIMIT 1`,
      [productId],
    );
    assert.deepEqual(snap!.entry.version, 2, 'its snapshot entry outranks the event of the review (version 1)');
    assert.equal(snap!.entry.count, row!.count);
  });

  it('seeds the default 2000 products in a few set-based statements, not one per row', async () => {
    // Counting statements instead of timing them: a per-row seed shows up as thousands of
    // statements on any machine, while a wall-clock bound flakes on a loaded CI runner.
    let statements = 0;
    const ds = t.server.dataSource;
    const counted = Object.assign(Object.create(ds) as DataSource, {
      transaction: <T>(fn: (em: EntityManager) => Promise<T>) =>
        ds.transaction((em) =>
          fn(
            Object.assign(Object.create(em) as EntityManager, {
              query: (...args: Parameters<EntityManager['query']>) => (statements++, em.query(...args)),
            }),
          ),
        ),
    });
    const inserted = await seedReviews(counted, log, 2000);
    assert.ok(inserted > 3000, `inserted ${inserted}`);
    assert.ok(statements > 0 && statements <= 3, `ran ${statements} statements`);
    const [n] = await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM product_rating`);
    assert.equal(n!.n, 1200);
    assert.deepEqual(await mismatches(), []);
    assert.equal(await seedReviews(t.server.dataSource, log, 2000), 0);
  });
});
