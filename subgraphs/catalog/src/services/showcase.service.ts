import DataLoader from 'dataloader';
import { In } from 'typeorm';
import { decodeCursor, encodeCursor, pageSize } from '@fashionistar/shared';
import type { CatalogContext } from '../context';
import type { CategoryEntity } from '../entities/category.entity';
import { ProductEntity } from '../entities/product.entity';
import { categoryById } from '../loaders/product.loaders';
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
     SELECT id, root FROM (
       SELECT p.id, t.root, p.published_at, row_number() OVER (PARTITION BY t.root ORDER BY p.published_at DESC, p.id DESC) AS rn
       FROM product p JOIN tree t ON p.category_id = t.id WHERE ${VISIBLE_SQL}
     ) ranked WHERE rn <= $1 ORDER BY root, published_at DESC, id DESC`,
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
    ? await collectionPage(ctx, collectionId, limit, decodeCursor(after, 2))
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
  return rows.map((r) => ({ collectionId: r.collection_id, position: r.position, product: byId.get(r.product_id)! }));
}
