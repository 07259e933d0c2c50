import type { MigrationInterface, QueryRunner } from 'typeorm';
import { OUTBOX_SQL } from '@fashionistar/shared';

/** The catalog's tables, in the `catalog` schema (search_path is set by the DataSource). */
export class CatalogInit1764100000000 implements MigrationInterface {
  // TypeORM records this name in the migrations table; it stays the old class name so databases
  // that already ran the migration do not run it again. The class name is prefixed by subgraph
  // because two subgraphs had the same one.
  name = 'Init1764100000000';

  async up(q: QueryRunner): Promise<void> {
    const statements = [
      // Trigram matching for typo-tolerant search, in the `extensions` schema on the search_path.
      // provisionDatabase installs it before any migration runs, and the catalog's production
      // role may create neither extensions nor schemas, so this is a no-op then; it only acts for
      // a superuser on a database nobody provisioned (a subgraph started alone), or one whose
      // template put pg_trgm in public (then gin_trgm_ops below would not resolve). Edited after
      // the fact (it said WITH SCHEMA public): databases that ran the old text are moved by
      // TrigramInExtensions1766000000000, and a fresh one never sees the old text.
      `DO $$ BEGIN
         IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
           CREATE SCHEMA IF NOT EXISTS extensions;
           CREATE EXTENSION pg_trgm WITH SCHEMA extensions;
         ELSIF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm' AND extnamespace = 'public'::regnamespace) THEN
           CREATE SCHEMA IF NOT EXISTS extensions;
           ALTER EXTENSION pg_trgm SET SCHEMA extensions;
         END IF;
       END $$`,
      // array_to_string is only STABLE; tags never change meaning, so an IMMUTABLE wrapper lets
      // the search vector be a generated column.
      `CREATE FUNCTION tags_text(text[]) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT array_to_string($1, ' ') $$`,
      // The vocabulary of titles and tags. Typo tolerance works on this small table (a trigram
      // match per query word), and the product search itself stays an indexed full-text match.
      `CREATE TABLE search_term (term text PRIMARY KEY)`,
      `CREATE INDEX search_term_trgm_idx ON search_term USING gin (term gin_trgm_ops)`,
      `CREATE TABLE category (
        id uuid PRIMARY KEY,
        parent_id uuid REFERENCES category (id),
        slug text NOT NULL UNIQUE,
        name text NOT NULL,
        description text,
        image_url text,
        position integer NOT NULL DEFAULT 0,
        CHECK (parent_id IS NULL OR parent_id <> id)
      )`,
      `CREATE INDEX category_parent_idx ON category (parent_id)`,
      `CREATE TABLE brand (
        id uuid PRIMARY KEY,
        slug text NOT NULL UNIQUE,
        name text NOT NULL,
        logo_url text,
        description text
      )`,
      `CREATE TABLE product (
        id uuid PRIMARY KEY,
        vendor_id uuid NOT NULL,
        category_id uuid REFERENCES category (id),
        brand_id uuid REFERENCES brand (id),
        title text NOT NULL,
        slug text NOT NULL UNIQUE,
        description text NOT NULL,
        price_kobo bigint NOT NULL CHECK (price_kobo > 0),
        old_price_kobo bigint CHECK (old_price_kobo > 0),
        shipping_kobo bigint NOT NULL DEFAULT 0 CHECK (shipping_kobo >= 0),
        stock integer NOT NULL DEFAULT 0 CHECK (stock >= 0),
        status text NOT NULL DEFAULT 'DRAFT' CHECK (status IN ('DRAFT', 'PUBLISHED', 'ARCHIVED')),
        moderation text NOT NULL DEFAULT 'ACTIVE' CHECK (moderation IN ('ACTIVE', 'HIDDEN', 'REJECTED')),
        moderation_reason text,
        featured boolean NOT NULL DEFAULT false,
        hot_deal boolean NOT NULL DEFAULT false,
        special_offer boolean NOT NULL DEFAULT false,
        view_count bigint NOT NULL DEFAULT 0,
        tailoring_lead_days integer CHECK (tailoring_lead_days BETWEEN 0 AND 365),
        tags text[] NOT NULL DEFAULT '{}',
        vendor_hidden boolean NOT NULL DEFAULT false,
        rating_average numeric(3, 2),
        rating_count integer NOT NULL DEFAULT 0,
        rating_version bigint NOT NULL DEFAULT 0,
        published_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        search tsvector GENERATED ALWAYS AS (
          setweight(to_tsvector('english', title), 'A') ||
          setweight(to_tsvector('english', tags_text(tags)), 'B') ||
          setweight(to_tsvector('english', description), 'C')
        ) STORED
      )`,
      `CREATE INDEX product_search_idx ON product USING gin (search)`,
      `CREATE INDEX product_tags_idx ON product USING gin (tags)`,
      `CREATE INDEX product_vendor_idx ON product (vendor_id, created_at DESC, id DESC)`,
      `CREATE INDEX product_category_idx ON product (category_id)`,
      // The storefront's default order over visible products only.
      `CREATE INDEX product_visible_newest_idx ON product (published_at DESC, id DESC)
         WHERE status = 'PUBLISHED' AND moderation = 'ACTIVE' AND NOT vendor_hidden`,
      `CREATE INDEX product_visible_price_idx ON product (price_kobo, id)
         WHERE status = 'PUBLISHED' AND moderation = 'ACTIVE' AND NOT vendor_hidden`,
      `CREATE INDEX product_visible_rating_idx ON product ((coalesce(rating_average, 0)) DESC, rating_count DESC, id DESC)
         WHERE status = 'PUBLISHED' AND moderation = 'ACTIVE' AND NOT vendor_hidden`,
      // A store's public page, and the homepage rails (newest per category subtree).
      `CREATE INDEX product_visible_vendor_idx ON product (vendor_id, published_at DESC, id DESC)
         WHERE status = 'PUBLISHED' AND moderation = 'ACTIVE' AND NOT vendor_hidden`,
      // Event-fed copy of each store's status (the vendors subgraph owns it), ordered by the
      // store's own version counter: a late or repeated event never overwrites a newer one.
      `CREATE TABLE vendor_copy (
        vendor_id uuid PRIMARY KEY,
        suspended boolean NOT NULL,
        version bigint NOT NULL
      )`,
      `CREATE INDEX product_visible_popular_idx ON product (view_count DESC, id DESC)
         WHERE status = 'PUBLISHED' AND moderation = 'ACTIVE' AND NOT vendor_hidden`,
      `CREATE TABLE variant (
        id uuid PRIMARY KEY,
        product_id uuid NOT NULL REFERENCES product (id) ON DELETE CASCADE,
        size text,
        colour text,
        sku text NOT NULL UNIQUE,
        price_delta_kobo bigint NOT NULL DEFAULT 0,
        stock integer NOT NULL DEFAULT 0 CHECK (stock >= 0),
        position integer NOT NULL DEFAULT 0
      )`,
      `CREATE INDEX variant_product_idx ON variant (product_id, position)`,
      `CREATE INDEX variant_size_idx ON variant (lower(size))`,
      `CREATE INDEX variant_colour_idx ON variant (lower(colour))`,
      `CREATE TABLE image (
        id uuid PRIMARY KEY,
        product_id uuid NOT NULL REFERENCES product (id) ON DELETE CASCADE,
        url text NOT NULL,
        alt text,
        position integer NOT NULL DEFAULT 0
      )`,
      `CREATE INDEX image_product_idx ON image (product_id, position)`,
      `CREATE TABLE specification (
        id uuid PRIMARY KEY,
        product_id uuid NOT NULL REFERENCES product (id) ON DELETE CASCADE,
        name text NOT NULL,
        value text NOT NULL,
        position integer NOT NULL DEFAULT 0
      )`,
      `CREATE INDEX specification_product_idx ON specification (product_id, position)`,
      `CREATE TABLE faq (
        id uuid PRIMARY KEY,
        product_id uuid NOT NULL REFERENCES product (id) ON DELETE CASCADE,
        question text NOT NULL,
        answer text NOT NULL,
        position integer NOT NULL DEFAULT 0
      )`,
      `CREATE INDEX faq_product_idx ON faq (product_id, position)`,
      `CREATE TABLE stock_movement (
        id uuid PRIMARY KEY,
        product_id uuid NOT NULL REFERENCES product (id) ON DELETE CASCADE,
        variant_id uuid REFERENCES variant (id) ON DELETE SET NULL,
        delta integer NOT NULL,
        resulting_stock integer NOT NULL CHECK (resulting_stock >= 0),
        reason text NOT NULL,
        actor_id uuid,
        created_at timestamptz NOT NULL DEFAULT now()
      )`,
      `CREATE INDEX stock_movement_product_idx ON stock_movement (product_id, created_at DESC)`,
      `CREATE TABLE collection (
        id uuid PRIMARY KEY,
        slug text NOT NULL UNIQUE,
        name text NOT NULL,
        description text,
        image_url text,
        position integer NOT NULL DEFAULT 0,
        active boolean NOT NULL DEFAULT true
      )`,
      `CREATE TABLE collection_item (
        collection_id uuid NOT NULL REFERENCES collection (id) ON DELETE CASCADE,
        product_id uuid NOT NULL REFERENCES product (id) ON DELETE CASCADE,
        position integer NOT NULL,
        PRIMARY KEY (collection_id, product_id)
      )`,
      `CREATE INDEX collection_item_position_idx ON collection_item (collection_id, position)`,
      ...OUTBOX_SQL.up,
    ];
    for (const sql of statements) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const sql of OUTBOX_SQL.down) await q.query(sql);
    for (const t of [
      'vendor_copy',
      'search_term',
      'collection_item',
      'collection',
      'stock_movement',
      'faq',
      'specification',
      'image',
      'variant',
      'product',
      'brand',
      'category',
    ]) {
      await q.query(`DROP TABLE ${t}`);
    }
    await q.query(`DROP FUNCTION tags_text(text[])`);
  }
}
