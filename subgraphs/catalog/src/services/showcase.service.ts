import DataLoader from 'dataloader';
import { In } from 'typeorm';
import { BadUserInputError, decodeCursor, encodeCursor, isUuid, pageSize } from '@fashionistar/shared';
import type { CatalogContext } from '../context';
import type { CategoryEntity } from '../entities/category.entity';
import { ProductEntity } from '../entities/product.entity';
import { categoryById, productById } from '../loaders/product.loaders';
import { VISIBLE_SQL } from './product.service';
import { listProducts, type ProductPage } from './search.service';

const RAIL = 12;

export type HomepageRails = ReturnType<typeof homepage>;

/** The landing page: each rail one statement, relations batched across rails by the loaders. */
export const homepage = (ctx: CatalogContext) => ({
  featured: () => rail(ctx, { featured: true }, 'NEWEST'),
  hotDeals: () => rail(ctx, { hotDeal: true }, 'NEWEST'),
  newArrivals: () => rail(ctx, {}, 'NEWEST'),
  topRated: async () => (await rail(ctx, {}, 'RATING')).filter((p) => p.ratingCount > 0),
  categoryRails: () => categoryRails(ctx),
});

async function rail(ctx: CatalogContext, filter: Record<string, boolean>, sort: 'NEWEST' | 'RATING'): Promise<ProductEntity[]> {
  const page = await listProducts(ctx, { first: RAIL, filter, sort });
  return page.edges.map((e) => e.node);
}

/** Each top-level category with its newest visible products (its subtree included), in one statement. */
async function categoryRails(ctx: CatalogContext, perRail = 8): Promise<Array<{ category: CategoryEntity; products: ProductEntity[] }>> {
  const rows: Array<{ id: string; root: string }> = await ctx.em.query(
    `WITH RECURSIVE tree AS (
       SELECT id, id AS root FROM category WHERE parent_id IS NULL
       UNION ALL SELECT c.id, t.root FROM category c JOIN tree t ON c.parent_id = t.id
     )
     , roots AS (SELECT root, array_agg(id) AS ids FROM tree GROUP BY root)
     -- Per root, walk the newest-first index and stop at the rail's length: no scan of the catalog.
     SELECT newest.id, r.root FROM roots r
     CROSS JOIN LATERAL (
       SELECT p.id, p.published_at FROM product p
        WHERE p.category_id = ANY(r.ids) AND ${VISIBLE_SQL}
        ORDER BY p.published_at DESC, p.id DESC LIMIT $1
     ) newest
     ORDER BY r.root, newest.published_at DESC, newest.id DESC`,
    [perRail],
  );
  const products = rows.length ? await ctx.em.find(ProductEntity, { where: { id: In(rows.map((r) => r.id)) } }) : [];
  const byId = new Map(products.map((p) => [p.id, p]));
  const roots = [...new Set(rows.map((r) => r.root))];
  const categories = await categoryById(ctx).loadMany(roots);
  return roots.flatMap((root, i) => {
    const category = categories[i];
    if (!category || category instanceof Error) return [];
    return [{ category, products: rows.filter((r) => r.root === root).map((r) => byId.get(r.id)!) }];
  });
}

/**
 * A collection's visible products in curated order, keyset-paginated by (position, id). First
 * pages of many collections are batched into one statement (a window function per collection).
 */
export async function collectionProducts(
  ctx: CatalogContext,
  collectionId: string,
  first: number | null | undefined,
  after: string | null | undefined,
): Promise<ProductPage> {
  const limit = pageSize(first, 100, 20);
  const rows = after
    ? await collectionPage(ctx, collectionId, limit, curatedCursor(after))
    : await firstPages(ctx, limit).load(collectionId);
  const page = rows.slice(0, limit);
  return {
    edges: page.map((r) => ({ node: r.product, cursor: encodeCursor([r.position, r.product.id]) })),
    pageInfo: {
      hasNextPage: rows.length > limit,
      endCursor: page.length ? encodeCursor([page.at(-1)!.position, page.at(-1)!.product.id]) : null,
    },
    totalCount: async () => {
      const [r]: Array<{ n: string }> = await ctx.em.query(
        `SELECT count(*) AS n FROM collection_item ci JOIN product p ON p.id = ci.product_id WHERE ci.collection_id = $1 AND ${VISIBLE_SQL}`,
        [collectionId],
      );
      return Number(r!.n);
    },
  };
}

/** A collection cursor: (position, product id), checked before it reaches SQL. */
function curatedCursor(after: string): [number, string] {
  const [position, id] = decodeCursor(after, 2);
  if (typeof position !== 'number' || !Number.isInteger(position) || typeof id !== 'string' || !isUuid(id)) {
    throw new BadUserInputError('This cursor does not belong to this list.', 'after');
  }
  return [position, id];
}

/**
 * The first page of many stores' public product lists in one statement (a LATERAL walk of the
 * store's newest-first index each), with cursors that continue in listProducts' NEWEST order.
 */
export async function storeFirstPage(ctx: CatalogContext, vendorId: string, first: number | null | undefined): Promise<ProductPage> {
  const limit = pageSize(first, 100, 20);
  const rows = await storeFirstPages(ctx, limit).load(vendorId);
  const page = rows.slice(0, limit);
  const edges = page.map((r) => ({ node: r.product, cursor: encodeCursor(['NEWEST', r.k0, r.product.id]) }));
  return {
    edges,
    pageInfo: { hasNextPage: rows.length > limit, endCursor: edges.at(-1)?.cursor ?? null },
    totalCount: () => storeCounts(ctx).load(vendorId),
  };
}

const storeFirstPages = (ctx: CatalogContext, limit: number) =>
  ctx.loaders.get(
    `storeFirstPage:${limit}`,
    () =>
      new DataLoader<string, Array<{ k0: string; product: ProductEntity }>>(async (vendorIds) => {
        const rows: Array<{ vid: string; id: string; k0: string }> = await ctx.em.query(
          `SELECT v.vid, newest.id, newest.k0 FROM unnest($1::uuid[]) AS v(vid)
         CROSS JOIN LATERAL (
           SELECT p.id, p.published_at::text AS k0, p.published_at FROM product p
            WHERE p.vendor_id = v.vid AND ${VISIBLE_SQL}
            ORDER BY p.published_at DESC, p.id DESC LIMIT $2
         ) newest ORDER BY newest.published_at DESC, newest.id DESC`,
          [vendorIds.filter(isUuid), limit + 1],
        );
        const products = rows.length ? await ctx.em.find(ProductEntity, { where: { id: In(rows.map((r) => r.id)) } }) : [];
        const byId = new Map(products.map((p) => [p.id, p]));
        for (const p of products) productById(ctx).prime(p.id, p);
        return vendorIds.map((vid) => rows.filter((r) => r.vid === vid).map((r) => ({ k0: r.k0, product: byId.get(r.id)! })));
      }),
  );

const storeCounts = (ctx: CatalogContext) =>
  ctx.loaders.get(
    'storeCounts',
    () =>
      new DataLoader<string, number>(async (vendorIds) => {
        const rows: Array<{ vendor_id: string; n: string }> = await ctx.em.query(
          `SELECT p.vendor_id, count(*) AS n FROM product p WHERE p.vendor_id = ANY($1::uuid[]) AND ${VISIBLE_SQL} GROUP BY p.vendor_id`,
          [vendorIds.filter(isUuid)],
        );
        const counts = new Map(rows.map((r) => [r.vendor_id, Number(r.n)]));
        return vendorIds.map((v) => counts.get(v) ?? 0);
      }),
  );

/** An empty page (e.g. the public asking a store for its drafts). */
export const emptyPage = (): ProductPage => ({ edges: [], pageInfo: { hasNextPage: false, endCursor: null }, totalCount: async () => 0 });

interface Curated {
  position: number;
  product: ProductEntity;
}

const firstPages = (ctx: CatalogContext, limit: number) =>
  ctx.loaders.get(
    `collectionFirstPage:${limit}`,
    () =>
      new DataLoader<string, Curated[]>(async (ids) => {
        const rows: Array<{ collection_id: string; product_id: string; position: number }> = await ctx.em.query(
          `SELECT collection_id, product_id, position FROM (
           SELECT ci.collection_id, ci.product_id, ci.position,
                  row_number() OVER (PARTITION BY ci.collection_id ORDER BY ci.position, ci.product_id) AS rn
           FROM collection_item ci JOIN product p ON p.id = ci.product_id
           WHERE ci.collection_id = ANY($1) AND ${VISIBLE_SQL}
         ) x WHERE rn <= $2 ORDER BY position, product_id`,
          [[...ids], limit + 1],
        );
        return hydrate(ctx, rows).then((curated) => ids.map((id) => curated.filter((c) => c.collectionId === id)));
      }),
  );

async function collectionPage(
  ctx: CatalogContext,
  collectionId: string,
  limit: number,
  cursor: Array<string | number | null>,
): Promise<Curated[]> {
  const rows: Array<{ collection_id: string; product_id: string; position: number }> = await ctx.em.query(
    `SELECT ci.collection_id, ci.product_id, ci.position FROM collection_item ci JOIN product p ON p.id = ci.product_id
      WHERE ci.collection_id = $1 AND ${VISIBLE_SQL} AND (ci.position, ci.product_id) > ($2::integer, $3::uuid)
      ORDER BY ci.position, ci.product_id LIMIT $4`,
    [collectionId, cursor[0], cursor[1], limit + 1],
  );
  return hydrate(ctx, rows);
}

async function hydrate(
  ctx: CatalogContext,
  rows: Array<{ collection_id: string; product_id: string; position: number }>,
): Promise<Array<Curated & { collectionId: string }>> {
  const products = rows.length ? await ctx.em.find(ProductEntity, { where: { id: In(rows.map((r) => r.product_id)) } }) : [];
  const byId = new Map(products.map((p) => [p.id, p]));
  for (const p of products) productById(ctx).prime(p.id, p);
  return rows.map((r) => ({ collectionId: r.collection_id, position: r.position, product: byId.get(r.product_id)! }));
}
