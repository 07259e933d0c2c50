import DataLoader from 'dataloader';
import { In } from 'typeorm';
import { byKey, isUuid } from '@fashionistar/shared';
import type { CatalogContext } from '../context';
import { VariantEntity } from '../entities/variant.entity';

/**
 * Variants by id, removed ones included: a stock movement names the variant it moved even after
 * the store took it off sale (the storefront's loaders skip removed variants). One statement per batch.
 */
export const variantWithRemovedById = (ctx: CatalogContext) =>
  ctx.loaders.get(
    'variantWithRemovedById',
    () =>
      new DataLoader<string, VariantEntity | null>(async (ids) => {
        const valid = ids.filter(isUuid);
        const rows = valid.length ? await ctx.em.find(VariantEntity, { where: { id: In(valid) }, withDeleted: true }) : [];
        return byKey(ids, rows, (r) => r.id);
      }),
  );
