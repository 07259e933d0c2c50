import DataLoader from 'dataloader';
import { In } from 'typeorm';
import { byKey, groupByKey, isUuid } from '@fashionistar/shared';
import type { CatalogContext } from '../context';
import { BrandEntity } from '../entities/brand.entity';
import { CategoryEntity } from '../entities/category.entity';
import { FaqEntity, SpecificationEntity } from '../entities/detail.entity';
import { ImageEntity } from '../entities/image.entity';
import { ProductEntity } from '../entities/product.entity';
import { VariantEntity } from '../entities/variant.entity';

/** One loader per relation, made per request; each batch is one SQL statement. */
const byIds = <E extends { id: string }>(ctx: CatalogContext, name: string, entity: new () => E) =>
  ctx.loaders.get(
    name,
    () =>
      new DataLoader<string, E | null>(async (ids) => {
        const valid = ids.filter(isUuid);
        const rows = valid.length ? await ctx.em.find(entity, { where: { id: In(valid) } as never }) : [];
        return byKey(ids, rows as E[], (r) => r.id);
      }),
  );

const byProduct = <E extends { productId: string; position: number }>(ctx: CatalogContext, name: string, entity: new () => E) =>
  ctx.loaders.get(
    name,
    () =>
      new DataLoader<string, E[]>(async (productIds) => {
        const rows = await ctx.em.find(entity, { where: { productId: In([...productIds]) } as never, order: { position: 'ASC' } as never });
        return groupByKey(productIds, rows as E[], (r) => r.productId);
      }),
  );

export const productById = (ctx: CatalogContext) => byIds(ctx, 'productById', ProductEntity);
export const categoryById = (ctx: CatalogContext) => byIds(ctx, 'categoryById', CategoryEntity);
export const brandById = (ctx: CatalogContext) => byIds(ctx, 'brandById', BrandEntity);
export const variantsByProduct = (ctx: CatalogContext) => byProduct(ctx, 'variantsByProduct', VariantEntity);
export const imagesByProduct = (ctx: CatalogContext) => byProduct(ctx, 'imagesByProduct', ImageEntity);
export const specsByProduct = (ctx: CatalogContext) => byProduct(ctx, 'specsByProduct', SpecificationEntity);
export const faqsByProduct = (ctx: CatalogContext) => byProduct(ctx, 'faqsByProduct', FaqEntity);

/** Categories by parent id (children lists). */
export const childrenByCategory = (ctx: CatalogContext) =>
  ctx.loaders.get(
    'childrenByCategory',
    () =>
      new DataLoader<string, CategoryEntity[]>(async (ids) => {
        const rows = await ctx.em.find(CategoryEntity, { where: { parentId: In([...ids]) }, order: { position: 'ASC', name: 'ASC' } });
        return groupByKey(ids, rows, (r) => r.parentId!);
      }),
  );

/** Depth of categories in the tree (0 for top level), for categories not loaded by the tree query. */
export const depthByCategory = (ctx: CatalogContext) =>
  ctx.loaders.get(
    'depthByCategory',
    () =>
      new DataLoader<string, number>(async (ids) => {
        const rows: Array<{ id: string; depth: number }> = await ctx.em.query(
          `WITH RECURSIVE up (id, parent_id, depth) AS (
             SELECT id, parent_id, 0 FROM category WHERE id = ANY($1::uuid[])
             UNION ALL SELECT up.id, c.parent_id, up.depth + 1 FROM up JOIN category c ON c.id = up.parent_id
           ) SELECT id, max(depth) AS depth FROM up GROUP BY id`,
          [ids.filter(isUuid)],
        );
        const depths = new Map(rows.map((r) => [r.id, Number(r.depth)]));
        return ids.map((id) => depths.get(id) ?? 0);
      }),
  );

/** Categories and brands by slug (slugs are lower case), for lookups by URL name. */
const bySlug = <E extends { slug: string }>(ctx: CatalogContext, name: string, entity: new () => E) =>
  ctx.loaders.get(
    name,
    () =>
      new DataLoader<string, E | null>(async (slugs) => {
        const rows = await ctx.em.find(entity, { where: { slug: In([...slugs]) } as never });
        return byKey(slugs, rows as E[], (r) => r.slug);
      }),
  );

export const categoryBySlug = (ctx: CatalogContext) => bySlug(ctx, 'categoryBySlug', CategoryEntity);
export const brandBySlug = (ctx: CatalogContext) => bySlug(ctx, 'brandBySlug', BrandEntity);
