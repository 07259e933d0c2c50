import type { DataSource } from 'typeorm';
import { seedUuid, type Logger } from '@fashionistar/shared';
import { learnTerms } from '../services/search-terms';
import { BRANDS, CATEGORY_TREE, COLLECTIONS, COLOURS, FABRICS, ITEMS, SIZES, STYLES } from './data';

/** The demo stores (the vendors subgraph seeds them with these ids). */
export const SEED_VENDOR_IDS = [1, 2, 3, 4, 5].map((i) => seedUuid(`vendor-store:${i}`));
export const seedProductId = (n: number) => seedUuid(`product:${n}`);
export const seedCategoryId = (slug: string) => seedUuid(`category:${slug}`);

const CHUNK = 5000;

/**
 * Seeds the demo catalog idempotently: categories, brands and collections by stable ids, then
 * `scale` products (2,000 by default; SEED_SCALE=100000 for benchmarks) in chunks of bulk
 * statements, each with variants and two images. No outbox event per row.
 */
export async function seedCatalog(ds: DataSource, log: Logger, scale: number): Promise<void> {
  const started = Date.now();
  const cats = CATEGORY_TREE.flatMap((top, i) => [
    { id: seedCategoryId(top.slug), parent: null as string | null, slug: top.slug, name: top.name, position: i },
    ...top.children.map((c, j) => ({
      id: seedCategoryId(c.slug),
      parent: seedCategoryId(top.slug),
      slug: c.slug,
      name: c.name,
      position: j,
    })),
  ]);
  await ds.query(
    `INSERT INTO category (id, parent_id, slug, name, image_url, position)
     SELECT id, parent, slug, name, 'https://img.fashionistar.test/categories/' || slug || '.jpg', position
       FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::int[]) AS t(id, parent, slug, name, position)
     ON CONFLICT DO NOTHING`,
    [cats.map((c) => c.id), cats.map((c) => c.parent), cats.map((c) => c.slug), cats.map((c) => c.name), cats.map((c) => c.position)],
  );
  const brandIds = BRANDS.map((b) => seedUuid(`brand:${b}`));
  await ds.query(
    `INSERT INTO brand (id, slug, name, logo_url)
     SELECT id, lower(regexp_replace(name, '[^A-Za-z0-9]+', '-', 'g')), name, 'https://img.fashionistar.test/brands/' || lower(regexp_replace(name, '[^A-Za-z0-9]+', '-', 'g')) || '.png'
       FROM unnest($1::uuid[], $2::text[]) AS t(id, name)
     ON CONFLICT DO NOTHING`,
    [brandIds, BRANDS],
  );
  const leaves = CATEGORY_TREE.flatMap((t) => t.children.map((c) => c.slug));
  let inserted = 0;
  for (let from = 1; from <= scale; from += CHUNK) {
    const ns = Array.from({ length: Math.min(CHUNK, scale - from + 1) }, (_, i) => from + i);
    inserted += await seedProducts(ds, ns, leaves, brandIds);
  }
  const collectionIds = COLLECTIONS.map((c) => seedUuid(`collection:${c.slug}`));
  await ds.query(
    `INSERT INTO collection (id, slug, name, description, image_url, position)
     SELECT id, slug, name, description, 'https://img.fashionistar.test/collections/' || slug || '.jpg', ord - 1
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS t(id, slug, name, description, ord)
     ON CONFLICT DO NOTHING`,
    [collectionIds, COLLECTIONS.map((c) => c.slug), COLLECTIONS.map((c) => c.name), COLLECTIONS.map((c) => c.description)],
  );
  // Every 37th product goes to a collection (curated order = product number).
  const curated = Array.from({ length: Math.floor(Math.min(scale, 2000) / 37) }, (_, i) => (i + 1) * 37);
  await ds.query(
    `INSERT INTO collection_item (collection_id, product_id, position)
     SELECT ($1::uuid[])[(n % 3) + 1], pid, n FROM unnest($2::int[], $3::uuid[]) AS t(n, pid)
     ON CONFLICT DO NOTHING`,
    [collectionIds, curated, curated.map(seedProductId)],
  );
  if (inserted) {
    await learnTerms(ds.manager);
    // Fresh statistics, so the planner uses the search indexes on the seeded volume right away.
    await ds.query(`ANALYZE product, variant, image, search_term`);
  }
  log.info({ products: scale, inserted, ms: Date.now() - started }, 'catalog seed done');
}

async function seedProducts(ds: DataSource, ns: number[], leaves: string[], brandIds: string[]): Promise<number> {
  const pick = <T>(xs: T[], n: number, salt: number) => xs[(n * salt + (n >> 3)) % xs.length]!;
  const rows = ns.map((n) => {
    const leaf = pick(leaves, n, 7);
    const fabric = pick(FABRICS, n, 5);
    const style = pick(STYLES, n, 3);
    const item = pick(ITEMS[leaf]!, n, 11);
    const colour = pick(COLOURS, n, 13);
    const price = 5_000 + ((n * 7919) % 145_000);
    return {
      id: seedProductId(n),
      vendor: SEED_VENDOR_IDS[n % SEED_VENDOR_IDS.length]!,
      category: seedCategoryId(leaf),
      brand: brandIds[n % brandIds.length]!,
      title: `${style} ${fabric} ${item}`,
      slug: `${style}-${fabric}-${item}-${n}`.toLowerCase().replace(/[^a-z0-9]+/g, '-'),
      description: `A ${style.toLowerCase()} ${item.toLowerCase()} in ${colour.toLowerCase()} ${fabric}, cut and finished by hand in Nigeria. Perfect for owambe, church or the office.`,
      price: price * 100,
      oldPrice: n % 4 === 0 ? Math.round(price * 1.25) * 100 : null,
      tags: [fabric.toLowerCase(), style.toLowerCase(), colour.toLowerCase()],
      colour,
      lead: leaf.startsWith('men-agbada') || n % 10 === 0 ? 3 + (n % 12) : null,
    };
  });
  const col = <K extends keyof (typeof rows)[number]>(k: K) => rows.map((r) => r[k]);
  const inserted: Array<{ id: string }> = await ds.query(
    `INSERT INTO product (id, vendor_id, category_id, brand_id, title, slug, description, price_kobo, old_price_kobo, shipping_kobo, stock,
                          status, featured, hot_deal, special_offer, view_count, tailoring_lead_days, tags, published_at, created_at, updated_at)
     SELECT t.id, t.vendor, t.category, t.brand, t.title, t.slug, t.description, t.price, t.old_price, 150000, (t.n * 31) % 40,
            'PUBLISHED', t.n % 50 = 0, t.n % 17 = 0, t.n % 23 = 0, (t.n * 7919) % 5000, t.lead, string_to_array(t.tags, ','),
            now() - make_interval(mins => t.n), now() - make_interval(mins => t.n), now()
       FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::text[], $6::text[], $7::text[], $8::bigint[], $9::bigint[], $10::text[], $11::int[], $12::int[])
         AS t(id, vendor, category, brand, title, slug, description, price, old_price, tags, lead, n)
     ON CONFLICT DO NOTHING
     RETURNING id`,
    [
      col('id'),
      col('vendor'),
      col('category'),
      col('brand'),
      col('title'),
      col('slug'),
      col('description'),
      col('price'),
      col('oldPrice'),
      rows.map((r) => r.tags.join(',')),
      col('lead'),
      ns,
    ],
  );
  if (!inserted.length) return 0;
  const fresh = new Set(inserted.map((r) => r.id));
  const mine = rows.map((r, i) => ({ ...r, n: ns[i]! })).filter((r) => fresh.has(r.id));
  await ds.query(
    `INSERT INTO variant (id, product_id, size, colour, sku, price_delta_kobo, stock, position)
     SELECT gen_random_uuid(), t.id, s.size, t.colour, 'FS-' || t.n || '-' || s.size, CASE WHEN s.size = 'XL' THEN 100000 ELSE 0 END, (t.n + s.pos * 3) % 12, s.pos
       FROM unnest($1::uuid[], $2::text[], $3::int[]) AS t(id, colour, n)
       CROSS JOIN unnest($4::text[]) WITH ORDINALITY AS s(size, pos)`,
    [mine.map((r) => r.id), mine.map((r) => r.colour), mine.map((r) => r.n), SIZES],
  );
  await ds.query(
    `INSERT INTO image (id, product_id, url, alt, position)
     SELECT gen_random_uuid(), t.id, 'https://img.fashionistar.test/products/' || t.n || '/' || k || '.jpg', t.title || ' (view ' || k || ')', k - 1
       FROM unnest($1::uuid[], $2::int[], $3::text[]) AS t(id, n, title) CROSS JOIN generate_series(1, 2) AS k`,
    [mine.map((r) => r.id), mine.map((r) => r.n), mine.map((r) => r.title)],
  );
  return inserted.length;
}
