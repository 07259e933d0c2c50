import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One page of one owner's reviews (a product's, an author's or a store's), in one of the list
 * sorts, after an optional keyset cursor, at most `p_limit` rows. Every sort is "key DESC,
 * created_at DESC, id DESC" with key none (NEWEST), rating (HIGHEST), -rating (LOWEST) or
 * helpful_count (MOST_HELPFUL), so one row comparison pages them all and an index per sort serves
 * product lists from the cursor on. The statement is built per call (EXECUTE), so it is planned
 * with the real owner and filters, and with `enable_sort` off wherever an index gives the order
 * (every product and author list, and a store's NEWEST inbox): the planner then walks the index
 * from the cursor and stops after p_limit rows, a product with thousands of reviews costing what
 * one with three does. A store's other sorts sort its (filtered) reviews: a store's inbox is
 * bounded by its own reviews, not by the table. Filters: one star count, unreplied only.
 */
const PAGE_FUNCTION = `CREATE FUNCTION review_page(
    p_owner text, p_owner_id uuid, p_sort text, p_rating integer, p_unreplied boolean, p_hidden_too boolean,
    p_after_key integer, p_after_at timestamptz, p_after_id uuid, p_limit integer)
  RETURNS SETOF review LANGUAGE plpgsql STABLE SET enable_sort = on AS $fn$
  DECLARE
    owner_col text := CASE p_owner WHEN 'product' THEN 'product_id' WHEN 'author' THEN 'author_id' WHEN 'vendor' THEN 'vendor_id' END;
    sort_key text := CASE p_sort WHEN 'HIGHEST' THEN 'r.rating' WHEN 'LOWEST' THEN '(-r.rating)' WHEN 'MOST_HELPFUL' THEN 'r.helpful_count' END;
    q text;
  BEGIN
    IF owner_col IS NULL OR (p_sort <> 'NEWEST' AND sort_key IS NULL) THEN
      RAISE EXCEPTION 'review_page: unknown owner % or sort %', p_owner, p_sort;
    END IF;
    IF p_owner <> 'vendor' OR p_sort = 'NEWEST' THEN
      -- Local to this function (its SET clause restores the caller's value on exit).
      PERFORM set_config('enable_sort', 'off', true);
    END IF;
    q := format('SELECT r.* FROM review r WHERE r.%I = $1', owner_col);
    IF NOT p_hidden_too THEN q := q || ' AND r.status = ''VISIBLE'''; END IF;
    IF p_rating IS NOT NULL THEN q := q || ' AND r.rating = $3'; END IF;
    IF p_unreplied THEN q := q || ' AND r.reply_body IS NULL'; END IF;
    IF p_after_at IS NOT NULL THEN
      q := q || CASE WHEN sort_key IS NULL THEN ' AND (r.created_at, r.id) < ($5, $6)'
                     ELSE format(' AND (%s, r.created_at, r.id) < ($4, $5, $6)', sort_key) END;
    END IF;
    q := q || ' ORDER BY ' || coalesce(sort_key || ' DESC, ', '') || 'r.created_at DESC, r.id DESC LIMIT $2';
    RETURN QUERY EXECUTE q USING p_owner_id, p_limit, p_rating, p_after_key, p_after_at, p_after_id;
  END $fn$`;

/** The function the init migration made for one owner (replaced by review_page; recreated by down). */
const oldPageFunction = (owner: 'product' | 'author') =>
  `CREATE FUNCTION review_page_by_${owner}(p_owner uuid, p_hidden_too boolean, p_after_at timestamptz, p_after_id uuid, p_limit integer)
    RETURNS SETOF review LANGUAGE sql STABLE SET enable_sort = off AS $$
      SELECT * FROM review r
       WHERE r.${owner}_id = p_owner AND (p_hidden_too OR r.status = 'VISIBLE')
         AND (r.created_at, r.id) < (coalesce(p_after_at, 'infinity'), coalesce(p_after_id, 'ffffffff-ffff-ffff-ffff-ffffffffffff'))
       ORDER BY r.created_at DESC, r.id DESC
       LIMIT p_limit
    $$`;

/**
 * The store's review inbox and the list sorts. `review.vendor_id` is the store selling the product
 * when the review was written (a product never changes store), set by `addReview` from the
 * catalog's answer it already asks for; rows written before this migration start NULL and are
 * filled in the background from the catalog's `productOwners` (see backfill.service), so the inbox
 * is one indexed query per store, never a fan-out over its products.
 */
export class ReviewInbox1766200000000 implements MigrationInterface {
  name = 'ReviewInbox1766200000000';

  async up(q: QueryRunner): Promise<void> {
    const statements = [
      `ALTER TABLE review ADD COLUMN vendor_id uuid`,
      // The inbox, newest first, all or unreplied only (members see VISIBLE reviews; the partial
      // index holds what the "to answer" view needs).
      `CREATE INDEX review_vendor_page_idx ON review (vendor_id, created_at DESC, id DESC)`,
      `CREATE INDEX review_vendor_unreplied_idx ON review (vendor_id, created_at DESC, id DESC) WHERE reply_body IS NULL`,
      // Product lists in the other sorts (HIGHEST also serves a star filter with NEWEST).
      `CREATE INDEX review_product_highest_idx ON review (product_id, rating DESC, created_at DESC, id DESC)`,
      `CREATE INDEX review_product_lowest_idx ON review (product_id, (-rating) DESC, created_at DESC, id DESC)`,
      `CREATE INDEX review_product_helpful_idx ON review (product_id, helpful_count DESC, created_at DESC, id DESC)`,
      // What the backfill looks for.
      `CREATE INDEX review_vendor_unknown_idx ON review (product_id) WHERE vendor_id IS NULL`,
      PAGE_FUNCTION,
      `DROP FUNCTION review_page_by_product(uuid, boolean, timestamptz, uuid, integer)`,
      `DROP FUNCTION review_page_by_author(uuid, boolean, timestamptz, uuid, integer)`,
    ];
    for (const sql of statements) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION review_page(text, uuid, text, integer, boolean, boolean, integer, timestamptz, uuid, integer)`);
    for (const i of [
      'review_vendor_unknown_idx',
      'review_product_helpful_idx',
      'review_product_lowest_idx',
      'review_product_highest_idx',
      'review_vendor_unreplied_idx',
      'review_vendor_page_idx',
    ])
      await q.query(`DROP INDEX ${i}`);
    await q.query(`ALTER TABLE review DROP COLUMN vendor_id`);
    await q.query(oldPageFunction('product'));
    await q.query(oldPageFunction('author'));
  }
}
