import { randomBytes, randomUUID } from 'node:crypto';
import {
  formatKobo,
  BadUserInputError,
  ConflictError,
  NotFoundError,
  inTransaction,
  isUuid,
  optionalText,
  parseKobo,
  requireText,
  uniqueViolation,
} from '@fashionistar/shared';
import type { CatalogContext } from '../context';
import { StockMovementEntity } from '../entities/detail.entity';
import { ImageEntity } from '../entities/image.entity';
import { ProductEntity } from '../entities/product.entity';
import { VariantEntity } from '../entities/variant.entity';
import { requireManage } from './access.service';
import * as v from './validate';

export interface VariantArgs {
  size?: string | null;
  colour?: string | null;
  sku?: string | null;
  priceDelta?: string | null;
  stock?: number | null;
}

export interface ImageArgs {
  url: string;
  alt?: string | null;
}

/** The product for a write by its store's member, or NOT_FOUND / FORBIDDEN. */
async function ownedProduct(ctx: CatalogContext, productId: string): Promise<ProductEntity> {
  const p = isUuid(productId) ? await ctx.em.findOne(ProductEntity, { where: { id: productId } }) : null;
  if (!p) throw new NotFoundError('Product', productId);
  await requireManage(ctx, p.vendorId);
  return p;
}

function variantFields(input: VariantArgs, field: string, priceKobo: number) {
  const size = v.label(input.size, `${field}.size`);
  const colour = v.label(input.colour, `${field}.colour`);
  if (!size && !colour) throw new BadUserInputError('A variant needs a size or a colour.', `${field}.size`);
  const delta = input.priceDelta ? parseKobo(input.priceDelta, `${field}.priceDelta`, { allowNegative: true }) : 0;
  if (priceKobo + delta <= 0)
    throw new BadUserInputError('The variant price (price + priceDelta) must stay above zero.', `${field}.priceDelta`);
  const sku = optionalText(input.sku, `${field}.sku`, 64)?.toUpperCase() ?? `FS-${randomBytes(5).toString('hex').toUpperCase()}`;
  return { size, colour, sku, priceDeltaKobo: String(delta), stock: v.stockCount(input.stock, `${field}.stock`) };
}

const skuConflict = (error: unknown, field: string) => {
  if (uniqueViolation(error)?.includes('sku')) return new ConflictError('This SKU is already used.', field);
  return error;
};

/** Adds variants inside the caller's transaction (used by createProduct). */
export async function addVariants(ctx: CatalogContext, productId: string, variants: VariantArgs[]): Promise<void> {
  if (!variants.length) return;
  const p = await ctx.em.findOneOrFail(ProductEntity, { where: { id: productId } });
  const rows = variants.map((input, i) => ({
    id: randomUUID(),
    productId,
    position: i,
    ...variantFields(input, `variants.${i}`, Number(p.priceKobo)),
  }));
  try {
    await ctx.em.insert(VariantEntity, rows);
  } catch (error) {
    throw skuConflict(error, 'variants.sku');
  }
  for (const r of rows) await recordMovement(ctx, productId, r.id, r.stock, r.stock, 'initial stock');
}

export async function addImages(ctx: CatalogContext, productId: string, images: ImageArgs[], start = 0): Promise<ImageEntity[]> {
  const rows = images.map((img, i) => ({
    id: randomUUID(),
    productId,
    url: v.imageUrl(img.url, `images.${i}.url`),
    alt: optionalText(img.alt, `images.${i}.alt`, 200),
    position: start + i,
  }));
  if (rows.length) await ctx.em.insert(ImageEntity, rows);
  return rows;
}

/**
 * Locks the product row. Every write that checks something across the product and its variants
 * (counts, positions, price + priceDelta > 0) takes it first, so two such writes never both pass
 * their check against the same old state.
 */
export const lockProduct = (ctx: CatalogContext, productId: string) =>
  ctx.em.query(`SELECT 1 FROM product WHERE id = $1 FOR UPDATE`, [productId]);

/** The product's price as it is now, read under the product lock. */
async function lockedPrice(tx: CatalogContext, productId: string): Promise<number> {
  await lockProduct(tx, productId);
  return Number((await tx.em.findOneOrFail(ProductEntity, { where: { id: productId } })).priceKobo);
}

export async function addVariant(ctx: CatalogContext, productId: string, input: VariantArgs): Promise<VariantEntity> {
  await ownedProduct(ctx, productId);
  const id = randomUUID();
  try {
    await inTransaction(ctx, async (tx) => {
      const fields = variantFields(input, 'input', await lockedPrice(tx, productId));
      // Removed variants stay as rows for the ledger; only the ones on sale count and order.
      const [live]: Array<{ count: number; next: number }> = await tx.em.query(
        `SELECT count(*)::int AS count, coalesce(max(position) + 1, 0)::int AS next FROM variant WHERE product_id = $1 AND removed_at IS NULL`,
        [productId],
      );
      if (live!.count >= 100) throw new BadUserInputError('A product has at most 100 variants.', 'productId');
      await tx.em.insert(VariantEntity, { id, productId, position: live!.next, ...fields });
      await recordMovement(tx, productId, id, fields.stock, fields.stock, 'initial stock');
    });
  } catch (error) {
    throw skuConflict(error, 'input.sku');
  }
  return ctx.em.findOneOrFail(VariantEntity, { where: { id } });
}

/** Appends a stock movement to the ledger (in the caller's transaction). */
export async function recordMovement(
  ctx: CatalogContext,
  productId: string,
  variantId: string | null,
  delta: number,
  resultingStock: number,
  reason: string,
) {
  if (delta === 0) return;
  await ctx.em.insert(StockMovementEntity, {
    id: randomUUID(),
    productId,
    variantId,
    delta,
    resultingStock,
    reason,
    actorId: ctx.identity?.userId ?? null,
    createdAt: new Date(),
  });
}

async function ownedVariant(ctx: CatalogContext, id: string): Promise<{ variant: VariantEntity; product: ProductEntity }> {
  const variant = isUuid(id) ? await ctx.em.findOne(VariantEntity, { where: { id } }) : null;
  if (!variant) throw new NotFoundError('Variant', id);
  const product = await ownedProduct(ctx, variant.productId);
  return { variant, product };
}

/** Changes a variant's size, colour, SKU or price; its stock changes only through adjustStock. */
export async function updateVariant(ctx: CatalogContext, id: string, input: VariantArgs): Promise<VariantEntity> {
  const { variant: before } = await ownedVariant(ctx, id);
  try {
    await inTransaction(ctx, async (tx) => {
      // Price and delta are read under the lock updateProduct takes before its price check, so a
      // concurrent price drop and delta cut cannot both pass against the old values.
      const priceKobo = await lockedPrice(tx, before.productId);
      const variant = await tx.em.findOne(VariantEntity, { where: { id } });
      if (!variant) throw new NotFoundError('Variant', id);
      const merged: VariantArgs = {
        size: input.size !== undefined ? input.size : variant.size,
        colour: input.colour !== undefined ? input.colour : variant.colour,
        sku: input.sku ?? variant.sku,
        priceDelta: input.priceDelta ?? formatKobo(variant.priceDeltaKobo),
        stock: variant.stock,
      };
      const fields = variantFields(merged, 'input', priceKobo);
      await tx.em.update(
        VariantEntity,
        { id },
        { size: fields.size, colour: fields.colour, sku: fields.sku, priceDeltaKobo: fields.priceDeltaKobo },
      );
    });
  } catch (error) {
    throw skuConflict(error, 'input.sku');
  }
  return ctx.em.findOneOrFail(VariantEntity, { where: { id } });
}

/**
 * Takes a variant off sale: its stock goes to zero through a ledger movement and the row is
 * soft-deleted (`removed_at`), never deleted. We soft-delete always, not only variants with
 * history: one path, no check-then-delete race with a concurrent adjustStock, and a variant id
 * that an order line or a ledger row names keeps resolving to what it was.
 */
export async function removeVariant(ctx: CatalogContext, id: string): Promise<boolean> {
  const { variant } = await ownedVariant(ctx, id);
  await inTransaction(ctx, async (tx) => {
    await lockProduct(tx, variant.productId);
    // The variant's row lock orders this against adjustStock, which locks only the variant.
    const [row]: Array<{ stock: number }> = await tx.em.query(`SELECT stock FROM variant WHERE id = $1 AND removed_at IS NULL FOR UPDATE`, [
      id,
    ]);
    if (!row) throw new NotFoundError('Variant', id);
    await tx.em.query(`UPDATE variant SET stock = 0, removed_at = now() WHERE id = $1`, [id]);
    await recordMovement(tx, variant.productId, id, -row.stock, 0, 'variant removed');
  });
  return true;
}

export async function addImage(ctx: CatalogContext, productId: string, input: ImageArgs): Promise<ImageEntity> {
  await ownedProduct(ctx, productId);
  return inTransaction(ctx, async (tx) => {
    await lockProduct(tx, productId);
    const count = await tx.em.count(ImageEntity, { where: { productId } });
    if (count >= 30) throw new BadUserInputError('A product has at most 30 images.', 'productId');
    const [row] = await addImages(tx, productId, [input], count);
    return row!;
  });
}

export async function updateImage(
  ctx: CatalogContext,
  id: string,
  input: { url?: string | null; alt?: string | null },
): Promise<ImageEntity> {
  const img = isUuid(id) ? await ctx.em.findOne(ImageEntity, { where: { id } }) : null;
  if (!img) throw new NotFoundError('Image', id);
  await ownedProduct(ctx, img.productId);
  const patch: Partial<ImageEntity> = {};
  if (input.url != null) patch.url = v.imageUrl(input.url, 'input.url');
  if (input.alt !== undefined) patch.alt = optionalText(input.alt, 'input.alt', 200);
  if (Object.keys(patch).length) await ctx.em.update(ImageEntity, { id }, patch);
  return ctx.em.findOneOrFail(ImageEntity, { where: { id } });
}

export async function removeImage(ctx: CatalogContext, id: string): Promise<boolean> {
  const img = isUuid(id) ? await ctx.em.findOne(ImageEntity, { where: { id } }) : null;
  if (!img) throw new NotFoundError('Image', id);
  await ownedProduct(ctx, img.productId);
  await ctx.em.delete(ImageEntity, { id });
  return true;
}

/** Sets the gallery order; the ids must be exactly the product's images. */
export async function reorderImages(ctx: CatalogContext, productId: string, imageIds: string[]): Promise<ImageEntity[]> {
  await ownedProduct(ctx, productId);
  const images = await ctx.em.find(ImageEntity, { where: { productId } });
  const current = new Set(images.map((i) => i.id));
  if (imageIds.length !== current.size || new Set(imageIds).size !== imageIds.length || !imageIds.every((id) => current.has(id))) {
    throw new BadUserInputError("imageIds must list each of the product's images once.", 'imageIds');
  }
  await inTransaction(ctx, async (tx) => {
    for (const [position, id] of imageIds.entries()) await tx.em.update(ImageEntity, { id }, { position });
  });
  return ctx.em.find(ImageEntity, { where: { productId }, order: { position: 'ASC' } });
}

export interface AdjustStockArgs {
  productId: string;
  variantId?: string | null;
  delta: number;
  reason: string;
}

/**
 * Changes stock by `delta` with a reason, in one statement guarded against going negative, and
 * appends the movement (with the resulting stock) to the ledger in the same transaction.
 */
export async function adjustStock(ctx: CatalogContext, input: AdjustStockArgs): Promise<ProductEntity> {
  const product = await ownedProduct(ctx, input.productId);
  if (!Number.isInteger(input.delta) || input.delta === 0 || Math.abs(input.delta) > 1_000_000) {
    throw new BadUserInputError('delta must be a non-zero whole number.', 'delta');
  }
  const reason = requireText(input.reason, 'reason', 300);
  if (input.variantId && !isUuid(input.variantId)) throw new NotFoundError('Variant', input.variantId);
  await inTransaction(ctx, async (tx) => {
    const [rows]: [Array<{ stock: number }>, number] = input.variantId
      ? await tx.em.query(
          `UPDATE variant SET stock = stock + $1 WHERE id = $2 AND product_id = $3 AND removed_at IS NULL AND stock + $1 >= 0 RETURNING stock`,
          [input.delta, input.variantId, product.id],
        )
      : await tx.em.query(`UPDATE product SET stock = stock + $1, updated_at = now() WHERE id = $2 AND stock + $1 >= 0 RETURNING stock`, [
          input.delta,
          product.id,
        ]);
    if (!rows.length) {
      if (input.variantId && !(await tx.em.exists(VariantEntity, { where: { id: input.variantId, productId: product.id } })))
        throw new NotFoundError('Variant', input.variantId);
      throw new BadUserInputError('Stock cannot go below zero.', 'delta');
    }
    await recordMovement(tx, product.id, input.variantId ?? null, input.delta, rows[0]!.stock, reason);
  });
  return ctx.em.findOneOrFail(ProductEntity, { where: { id: product.id } });
}
