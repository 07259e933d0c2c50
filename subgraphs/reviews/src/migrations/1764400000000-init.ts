import type { MigrationInterface, QueryRunner } from 'typeorm';
import { OUTBOX_SQL } from '@fashionistar/shared';

/**
 * One page of one product's (one author's) reviews, newest first, after an optional cursor (NULLs:
 * from the newest). A function only so that `enable_sort = off` holds while its body is planned:
 * the planner sees the owner as a runtime value and estimates its rows from the average owner (a
 * few reviews), so it would otherwise fetch all of the owner's reviews by bitmap and sort them,
 * every review of a product with thousands. Without a sort the one plan left walks the page index
 * from the cursor and stops after p_limit rows.
 */
const pageFunction = (owner: 'product' | 'author') =>
  `CREATE FUNCTION review_page_by_${owner}(p_owner uuid, p_hidden_too boolean, p_after_at timestamptz, p_after_id uuid, p_limit integer)
    RETURNS SETOF review LANGUAGE sql STABLE SET enable_sort = off AS $$
      SELECT * FROM review r
       WHERE r.${owner}_id = p_owner AND (p_hidden_too OR r.status = 'VISIBLE')
         AND (r.created_at, r.id) < (coalesce(p_after_at, 'infinity'), coalesce(p_after_id, 'ffffffff-ffff-ffff-ffff-ffffffffffff'))
       ORDER BY r.created_at DESC, r.id DESC
       LIMIT p_limit
    $$`;

/** Reviews' tables, in the `reviews` schema (search_path is set by the DataSource). */
export class ReviewsInit1764400000000 implements MigrationInterface {
  // TypeORM records this name in the migrations table; it stays the old class name so databases
  // that already ran the migration do not run it again. The class name is prefixed by subgraph
  // because two subgraphs had the same one.
  name = 'Init1764400000000';

  async up(q: QueryRunner): Promise<void> {
    const statements = [
      // product_id and author_id point into other subgraphs' schemas: no foreign keys across them.
      `CREATE TABLE review (
        id uuid PRIMARY KEY,
        product_id uuid NOT NULL,
        author_id uuid NOT NULL,
        rating smallint NOT NULL CHECK (rating BETWEEN 1 AND 5),
        title text,
        body text NOT NULL CHECK (length(body) > 0),
        verified_purchase boolean NOT NULL DEFAULT false,
        status text NOT NULL DEFAULT 'VISIBLE' CHECK (status IN ('VISIBLE','HIDDEN')),
        hidden_reason text,
        hidden_by uuid,
        reply_body text,
        reply_author_id uuid,
        replied_at timestamptz(3),
        helpful_count integer NOT NULL DEFAULT 0 CHECK (helpful_count >= 0),
        not_helpful_count integer NOT NULL DEFAULT 0 CHECK (not_helpful_count >= 0),
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT review_product_author_key UNIQUE (product_id, author_id),
        CONSTRAINT review_hidden_reason CHECK ((status = 'HIDDEN') = (hidden_reason IS NOT NULL))
      )`,
      // Keyset pages: a product's or an author's reviews, newest first, id as tiebreaker.
      `CREATE INDEX review_product_page_idx ON review (product_id, created_at DESC, id DESC)`,
      `CREATE INDEX review_author_page_idx ON review (author_id, created_at DESC, id DESC)`,
      // What the page loader's LATERAL join calls once per owner (see pageFunction).
      pageFunction('product'),
      pageFunction('author'),
      `CREATE TABLE review_vote (
        review_id uuid NOT NULL REFERENCES review (id) ON DELETE CASCADE,
        user_id uuid NOT NULL,
        helpful boolean NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (review_id, user_id)
      )`,
      `CREATE INDEX review_vote_user_idx ON review_vote (user_id)`,
      `CREATE TABLE product_rating (
        product_id uuid PRIMARY KEY,
        count integer NOT NULL CHECK (count >= 0),
        sum integer NOT NULL CHECK (sum >= 0),
        stars_1 integer NOT NULL CHECK (stars_1 >= 0),
        stars_2 integer NOT NULL CHECK (stars_2 >= 0),
        stars_3 integer NOT NULL CHECK (stars_3 >= 0),
        stars_4 integer NOT NULL CHECK (stars_4 >= 0),
        stars_5 integer NOT NULL CHECK (stars_5 >= 0),
        -- One more with every change (made under the row lock): orders the events by commit.
        version bigint NOT NULL DEFAULT 0 CHECK (version >= 0),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT product_rating_consistent CHECK (
          count = stars_1 + stars_2 + stars_3 + stars_4 + stars_5
          AND sum = stars_1 + 2 * stars_2 + 3 * stars_3 + 4 * stars_4 + 5 * stars_5
        )
      )`,
      ...OUTBOX_SQL.up,
    ];
    for (const sql of statements) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const sql of OUTBOX_SQL.down) await q.query(sql);
    for (const owner of ['product', 'author'])
      await q.query(`DROP FUNCTION review_page_by_${owner}(uuid, boolean, timestamptz, uuid, integer)`);
    for (const t of ['product_rating', 'review_vote', 'review']) await q.query(`DROP TABLE ${t}`);
  }
}
