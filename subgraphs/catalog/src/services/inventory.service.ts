import { randomUUID } from 'node:crypto';
import {
  BadUserInputError,
  ConflictError,
  NotFoundError,
  inTransaction,
  isUuid,
  optionalText,
  parseKobo,
  requireText,
  uniqueViolation,
  validateAll,
} from '@fashionistar/shared';
import type { CatalogContext } from '../context';
import { StockMovementEntity } from '../entities/detail.entity';
import { ImageEntity } from '../entities/image.entity';
import { ProductEntity } from '../entities/product.entity';
import { VariantEntity } from '../entities/variant.entity';
import { requireManage } from './access.service';
import { MAX_IMAGES, MAX_VARIANTS, imageRow, type ImageArgs, type ImageRow, type VariantArgs } from './product-input';
import * as v from './validate';
import type { VariantFields } from './validate';

/** The product for a write by its store's member, or NOT_FOUND / FORBIDDEN. */
async function ownedProduct(ctx: CatalogContext, productId: string): Promise<ProductEntity> {
  const p = isUuid(productId) ? await ctx.em.findOne(ProductEntity, { where: { id: productId } }) : null;
  if (!p) throw new NotFoundError('Product', productId);
  await requireManage(ctx, p.vendorId);
  return p;
}

/**
 * A unique violation of a variant write as the CONFLICT a client can act on: the SKU index
 * (SKUs of variants on sale) or the options index (size + colour of a product's variants on sale,
 * which the service checks first under the product lock; the index is the backstop).
 */
function variantConflict(error: unknown, skuPath: string, sizePath: string): unknown {
  const constraint = uniqueViolation(error);
  if (constraint?.includes('sku')) return new ConflictError('This SKU is already used.', skuPath);
  if (constraint?.includes('options')) return new ConflictError(SAME_OPTIONS, sizePath);
  return error;
}

const SAME_OPTIONS = 'Another variant of this product on sale has the same size and colour.';

/** Inserts validated variants of a new product and their initial stock movements (caller's transaction). */
export async function insertVariants(ctx: CatalogContext, productId: string, variants: VariantFields[]): Promise<void> {
  if (!variants.length) return;
  const rows = variants.map((fields, position) => ({ id: randomUUID(), productId, position, ...fields }));
  try {
    await ctx.em.insert(VariantEntity, rows);
  } catch (error) {
    throw variantConflict(error, 'input.variants', 'input.variants');
  }
  for (const r of rows) await recordMovement(ctx, productId, r.id, r.stock, r.stock, 'initial stock');
}

/** Inserts validated gallery images from `start` on (caller's transaction). */
export async function insertImages(ctx: CatalogContext, productId: string, images: ImageRow[], start = 0): Promise<ImageEntity[]> {
  const rows = images.map((img, i) => ({ id: randomUUID(), productId, ...img, position: start + i }));
  if (rows.length) await ctx.em.insert(ImageEntity, rows);
  return rows;
}

/**
 * True when another variant on sale of the product has these options (compared as the unique
 * index compares them). Run under the product lock, so two writes never both pass.
 */
async function optionsTaken(tx: CatalogContext, productId: string, size: string | null, colour: string | null, except?: string) {
  const [row]: Array<{ taken: boolean }> = await tx.em.query(
    `SELECT EXISTS (
       SELECT 1 FROM variant WHERE product_id = $1 AND removed_at IS NULL AND id IS DISTINCT FROM $4::uuid
          AND lower(coalesce(size, '')) = lower(coalesce($2::text, '')) AND lower(coalesce(colour, '')) = lower(coalesce($3::text, ''))
     ) AS taken`,
    [productId, size, colour, except ?? null],
  );
  return row!.taken;
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
  // Every problem of the input at once; the price check needs the price read under the lock.
  const fields = validateAll((p) => v.variantFields(p, input, 'input', undefined))!;
  const id = randomUUID();
  try {
    await inTransaction(ctx, async (tx) => {
      const priceKobo = await lockedPrice(tx, productId);
      if (priceKobo + Number(fields.priceDeltaKobo) <= 0)
        throw new BadUserInputError('The variant price (price + priceDelta) must stay above zero.', 'input.priceDelta');
      // Removed variants stay as rows for the ledger; only the ones on sale count and order.
      const [live]: Array<{ count: number; next: number }> = await tx.em.query(
        `SELECT count(*)::int AS count, coalesce(max(position) + 1, 0)::int AS next FROM variant WHERE product_id = $1 AND removed_at IS NULL`,
        [productId],
      );
      if (live!.count >= MAX_VARIANTS) throw new BadUserInputError(`A product has at most ${MAX_VARIANTS} variants.`, 'productId');
      if (await optionsTaken(tx, productId, fields.size, fields.colour)) throw new ConflictError(SAME_OPTIONS, 'input.size');
      await tx.em.insert(VariantEntity, { id, productId, position: live!.next, ...fields });
      await recordMovement(tx, productId, id, fields.stock, fields.stock, 'initial stock');
    });
  } catch (error) {
    throw variantConflict(error, 'input.sku', 'input.size');
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

/** What updateVariant may change: no stock (that moves only through adjustStock, with a reason). */
export interface UpdateVariantArgs {
  size?: string | null;
  colour?: string | null;
  sku?: string | null;
  priceDelta?: string | null;
}

/**
 * Changes a variant's options, SKU or price difference: absent fields keep their value; null
 * clears size or colour (one must remain) and sets priceDelta to 0; the SKU cannot be cleared.
 */
export async function updateVariant(ctx: CatalogContext, id: string, input: UpdateVariantArgs): Promise<VariantEntity> {
  const { variant: before } = await ownedVariant(ctx, id);
  const change = validateAll((p) => ({
    size: v.clearable(p, input.size, 'input.size', (x) => v.label(x, 'size')),
    colour: v.clearable(p, input.colour, 'input.colour', (x) => v.label(x, 'colour')),
    sku: v.kept(p, input.sku, 'input.sku', (x) => requireText(x, 'sku', 64).toUpperCase()),
    priceDelta: v.clearable(p, input.priceDelta, 'input.priceDelta', (x) => parseKobo(x, 'priceDelta', { allowNegative: true })),
  }));
  try {
    await inTransaction(ctx, async (tx) => {
      // Price and delta are read under the lock updateProduct takes before its price check, so a
      // concurrent price drop and delta cut cannot both pass against the old values.
      const priceKobo = await lockedPrice(tx, before.productId);
      const variant = await tx.em.findOne(VariantEntity, { where: { id } });
      if (!variant) throw new NotFoundError('Variant', id);
      const size = change.size !== undefined ? change.size : variant.size;
      const colour = change.colour !== undefined ? change.colour : variant.colour;
      const delta = change.priceDelta !== undefined ? (change.priceDelta ?? 0) : Number(variant.priceDeltaKobo);
      validateAll((p) => {
        if (size === null && colour === null)
          p.add(input.size === null ? 'input.size' : 'input.colour', 'A variant needs a size or a colour.');
        if (priceKobo + delta <= 0) p.add('input.priceDelta', 'The variant price (price + priceDelta) must stay above zero.');
      });
      if (await optionsTaken(tx, variant.productId, size, colour, id)) throw new ConflictError(SAME_OPTIONS, 'input.size');
      await tx.em.update(VariantEntity, { id }, { size, colour, sku: change.sku ?? variant.sku, priceDeltaKobo: String(delta) });
    });
  } catch (error) {
    throw variantConflict(error, 'input.sku', 'input.size');
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
  const row = validateAll((p) => imageRow(p, input, 'input'))!;
  return inTransaction(ctx, async (tx) => {
    await lockProduct(tx, productId);
    const [{ count, next }] = (await tx.em.query(
      `SELECT count(*)::int AS count, coalesce(max(position) + 1, 0)::int AS next FROM image WHERE product_id = $1`,
      [productId],
    )) as Array<{ count: number; next: number }>;
    if (count >= MAX_IMAGES) throw new BadUserInputError(`A product has at most ${MAX_IMAGES} images.`, 'productId');
    // After the last position, not at `count`: a removal leaves a gap, and reusing a position would
    // make the gallery order undefined.
    const [image] = await insertImages(tx, productId, [row], next);
    return image!;
  });
}

/** Absent fields keep their value; null clears the alt text and is BAD_USER_INPUT on the URL. */
export async function updateImage(
  ctx: CatalogContext,
  id: string,
  input: { url?: string | null; alt?: string | null },
): Promise<ImageEntity> {
  const img = isUuid(id) ? await ctx.em.findOne(ImageEntity, { where: { id } }) : null;
  if (!img) throw new NotFoundError('Image', id);
  await ownedProduct(ctx, img.productId);
  const patch: Partial<ImageEntity> = validateAll((p) => {
    const url = v.kept(p, input.url, 'input.url', (x) => v.imageUrl(x, 'url'));
    const alt = v.clearable(p, input.alt, 'input.alt', (x) => optionalText(x, 'alt', 200));
    return { ...(url !== undefined && { url }), ...(alt !== undefined && { alt }) };
  });
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
  const reason = validateAll((p) => {
    if (!Number.isInteger(input.delta) || input.delta === 0 || Math.abs(input.delta) > 1_000_000)
      p.add('input.delta', 'delta must be a non-zero whole number of at most 1,000,000.');
    return p.check('input.reason', () => requireText(input.reason, 'reason', 300))!;
  });
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
      throw new BadUserInputError('Stock cannot go below zero.', 'input.delta');
    }
    await recordMovement(tx, product.id, input.variantId ?? null, input.delta, rows[0]!.stock, reason);
  });
  return ctx.em.findOneOrFail(ProductEntity, { where: { id: product.id } });
}
