import { randomBytes, randomUUID } from 'node:crypto';
import { In } from 'typeorm';
import {
  BadUserInputError,
  ConflictError,
  Problems,
  ForbiddenError,
  NotFoundError,
  PRODUCT_STATUS_EVENTS,
  ProductModerated,
  emitEvent,
  hasRole,
  inTransaction,
  isUuid,
  optionalText,
  requireRole,
  uniqueViolation,
  lookupText,
} from '@fashionistar/shared';
import type { CatalogContext } from '../context';
import { FaqEntity, SpecificationEntity } from '../entities/detail.entity';
import { ProductEntity, type ModerationStatus, type ProductStatus } from '../entities/product.entity';
import { productById } from '../loaders/product.loaders';
import { canManage, myStore, requireManage } from './access.service';
import { insertImages, insertVariants, lockProduct, recordMovement } from './inventory.service';
import {
  checkSkusFree,
  readCreateInput,
  readUpdateInput,
  type CreateProductArgs,
  type DetailRows,
  type UpdateProductArgs,
} from './product-input';
import * as v from './validate';
import { HIDING_STATUSES } from './events.service';
import { learnTerms } from './search-terms';

/** A store as the catalog sees it: just its id (the vendors subgraph owns the rest). */
export interface VendorRef {
  id: string;
}

/** Who sells a product, for other subgraphs' write-time checks. */
export interface ProductOwnerRecord {
  productId: string;
  vendorId: string;
  status: ProductStatus;
  visible: boolean;
}

/** What the public may see: published, not hidden by an admin, store not suspended. */
export const isVisible = (p: ProductEntity): boolean => p.status === 'PUBLISHED' && p.moderation === 'ACTIVE' && !p.vendorHidden;

/** SQL twin of isVisible, for list queries over alias `p`. */
export const VISIBLE_SQL = `p.status = 'PUBLISHED' AND p.moderation = 'ACTIVE' AND NOT p.vendor_hidden`;

/** The public sees visible products; the store's members and admins see all of theirs. */
export async function canSee(ctx: CatalogContext, p: ProductEntity): Promise<boolean> {
  return isVisible(p) || canManage(ctx, p.vendorId);
}

export async function findProduct(ctx: CatalogContext, by: { id?: string | null; slug?: string | null }): Promise<ProductEntity | null> {
  if (!by.id && !by.slug) throw new BadUserInputError('Give the product id or slug.', 'id');
  const p = by.id
    ? await productById(ctx).load(by.id)
    : await ctx.em.findOne(ProductEntity, { where: { slug: lookupText(by.slug, 'slug') } });
  return p && (await canSee(ctx, p)) ? p : null;
}

/** The product by id for a write, or NOT_FOUND; FORBIDDEN unless the caller manages its store. */
async function manageable(ctx: CatalogContext, id: string): Promise<ProductEntity> {
  const p = isUuid(id) ? await ctx.em.findOne(ProductEntity, { where: { id } }) : null;
  if (!p) throw new NotFoundError('Product', id);
  await requireManage(ctx, p.vendorId);
  return p;
}

/** The event-fed copy agrees with the sync answer except while an event is in flight. */
async function isSuspendedCopy(ctx: CatalogContext, vendorId: string): Promise<boolean> {
  const [row]: Array<{ suspended: boolean }> = await ctx.em.query(`SELECT suspended FROM vendor_copy WHERE vendor_id = $1`, [vendorId]);
  return row?.suspended ?? false;
}

/** A DRAFT product in the caller's store; every part written in one transaction. */
export async function createProduct(ctx: CatalogContext, input: CreateProductArgs): Promise<ProductEntity> {
  const store = await myStore(ctx);
  const rows = await readCreateInput(ctx, input);
  await checkSkusFree(
    ctx,
    rows.variants.map((r) => r.sku),
    (i) => `input.variants.${i}.sku`,
  );
  const fields = rows.product;
  for (let attempt = 0; ; attempt++) {
    const slug = attempt === 0 ? v.slugify(fields.title) : `${v.slugify(fields.title)}-${randomBytes(3).toString('hex')}`;
    try {
      return await inTransaction(ctx, async (tx) => {
        const now = new Date();
        const product = tx.em.create(ProductEntity, {
          ...fields,
          id: randomUUID(),
          vendorId: store.vendorId,
          slug,
          status: 'DRAFT',
          moderation: 'ACTIVE',
          moderationReason: null,
          featured: false,
          viewCount: '0',
          vendorHidden: HIDING_STATUSES.includes(store.status) || (await isSuspendedCopy(tx, store.vendorId)),
          ratingAverage: null,
          ratingCount: 0,
          publishedAt: null,
          createdAt: now,
          updatedAt: now,
        });
        await tx.em.insert(ProductEntity, product);
        await recordMovement(tx, product.id, null, fields.stock, fields.stock, 'initial stock');
        await insertVariants(tx, product.id, rows.variants);
        await insertImages(tx, product.id, rows.images);
        await replaceDetails(tx, product.id, rows.details);
        return product;
      });
    } catch (error) {
      const constraint = uniqueViolation(error);
      if (constraint?.includes('slug') && attempt < 3) continue;
      if (constraint?.includes('sku')) throw new ConflictError('A SKU of these variants is already used.', 'input.variants');
      throw error;
    }
  }
}

/** Replaces the specification sheet and the FAQ when given (an empty list empties them). */
async function replaceDetails(ctx: CatalogContext, productId: string, details: DetailRows): Promise<void> {
  if (details.specifications) {
    await ctx.em.delete(SpecificationEntity, { productId });
    const rows = details.specifications.map((s, position) => ({ id: randomUUID(), productId, ...s, position }));
    if (rows.length) await ctx.em.insert(SpecificationEntity, rows);
  }
  if (details.faqs) {
    await ctx.em.delete(FaqEntity, { productId });
    const rows = details.faqs.map((f, position) => ({ id: randomUUID(), productId, ...f, position }));
    if (rows.length) await ctx.em.insert(FaqEntity, rows);
  }
}

/** Absent fields keep their value; null clears the clearable ones (see readUpdateInput). */
export async function updateProduct(ctx: CatalogContext, id: string, input: UpdateProductArgs): Promise<ProductEntity> {
  const p = await manageable(ctx, id);
  const { patch, details } = await readUpdateInput(ctx, p, input);
  patch.updatedAt = new Date();
  return inTransaction(ctx, async (tx) => {
    if (patch.priceKobo) {
      // Every variant's price (price + delta) must stay above zero; checked under the product lock.
      await lockProduct(tx, id);
      // Removed variants are not for sale: their deltas no longer constrain the price.
      const [low]: Array<{ min: string | null }> = await tx.em.query(
        `SELECT min(price_delta_kobo) AS min FROM variant WHERE product_id = $1 AND removed_at IS NULL`,
        [id],
      );
      if (low?.min !== null && low?.min !== undefined && BigInt(patch.priceKobo) + BigInt(low.min) <= 0n) {
        throw new BadUserInputError('A variant would cost zero or less at this price; change its priceDelta first.', 'input.price');
      }
    }
    await tx.em.update(ProductEntity, { id }, patch);
    await replaceDetails(tx, id, details);
    // Only published words join the search vocabulary: drafts must not leak through typo fixes.
    if ((patch.title || patch.tags || patch.description) && p.status === 'PUBLISHED') await learnTerms(tx.em, [id]);
    return tx.em.findOneOrFail(ProductEntity, { where: { id } });
  });
}

/** Publishing needs an APPROVED store, checked against the vendors subgraph now. */
export async function publishProduct(ctx: CatalogContext, id: string): Promise<ProductEntity> {
  const p = await manageable(ctx, id);
  const access = await requireManage(ctx, p.vendorId);
  if (access.status !== 'APPROVED') throw new ForbiddenError('Your store must be approved before its products can be published.');
  if (p.moderation === 'REJECTED') throw new ForbiddenError(`An admin rejected this product: ${p.moderationReason ?? 'no reason given'}.`);
  return setStatus(ctx, p, 'PUBLISHED');
}

export async function archiveProduct(ctx: CatalogContext, id: string): Promise<ProductEntity> {
  return setStatus(ctx, await manageable(ctx, id), 'ARCHIVED');
}

async function setStatus(ctx: CatalogContext, p: ProductEntity, status: ProductStatus): Promise<ProductEntity> {
  if (p.status === status) return p;
  return inTransaction(ctx, async (tx) => {
    const now = new Date();
    await tx.em.update(
      ProductEntity,
      { id: p.id },
      { status, updatedAt: now, ...(status === 'PUBLISHED' && !p.publishedAt ? { publishedAt: now } : {}) },
    );
    await emitEvent(tx, PRODUCT_STATUS_EVENTS[status], { productId: p.id, vendorId: p.vendorId });
    if (status === 'PUBLISHED') await learnTerms(tx.em, [p.id]);
    return tx.em.findOneOrFail(ProductEntity, { where: { id: p.id } });
  });
}

const MODERATION: Record<string, ModerationStatus> = { HIDE: 'HIDDEN', REJECT: 'REJECTED', RESTORE: 'ACTIVE' };

/** Admin moderation after the fact: hide or reject with a reason, or restore. */
export async function moderateProduct(
  ctx: CatalogContext,
  id: string,
  action: string,
  reason: string | null | undefined,
): Promise<ProductEntity> {
  requireRole(ctx, 'ADMIN');
  const moderation = MODERATION[action]!;
  const why = optionalText(reason, 'reason', 500);
  if (moderation !== 'ACTIVE' && !why) throw new BadUserInputError('Give a reason for hiding or rejecting.', 'reason');
  const p = isUuid(id) ? await ctx.em.findOne(ProductEntity, { where: { id } }) : null;
  if (!p) throw new NotFoundError('Product', id);
  return inTransaction(ctx, async (tx) => {
    await tx.em.update(
      ProductEntity,
      { id },
      { moderation, moderationReason: moderation === 'ACTIVE' ? null : why, updatedAt: new Date() },
    );
    await emitEvent(tx, ProductModerated, {
      productId: id,
      vendorId: p.vendorId,
      moderation,
      reason: why,
      by: ctx.identity!.userId,
    });
    return tx.em.findOneOrFail(ProductEntity, { where: { id } });
  });
}

/** Sets the storefront flags given; an absent flag keeps its value, null is BAD_USER_INPUT (a flag is on or off). */
export async function setFlags(
  ctx: CatalogContext,
  id: string,
  flags: { featured?: boolean | null; hotDeal?: boolean | null; specialOffer?: boolean | null },
): Promise<ProductEntity> {
  requireRole(ctx, 'ADMIN');
  const problems = new Problems();
  const patch: Partial<ProductEntity> = {};
  for (const k of ['featured', 'hotDeal', 'specialOffer'] as const) {
    const value = v.kept(problems, flags[k], k, Boolean);
    if (value !== undefined) patch[k] = value;
  }
  problems.throwIfAny();
  const p = isUuid(id) ? await ctx.em.findOne(ProductEntity, { where: { id } }) : null;
  if (!p) throw new NotFoundError('Product', id);
  if (Object.keys(patch).length) await ctx.em.update(ProductEntity, { id }, { ...patch, updatedAt: new Date() });
  return ctx.em.findOneOrFail(ProductEntity, { where: { id } });
}

/** For other subgraphs: who sells these products. */
export async function productOwners(ctx: CatalogContext, ids: string[]): Promise<ProductOwnerRecord[]> {
  const valid = ids.filter(isUuid);
  if (!valid.length) return [];
  const rows = await ctx.em.find(ProductEntity, { where: { id: In(valid) } });
  const byId = new Map(rows.map((r) => [r.id, r]));
  return valid.flatMap((id) => {
    const p = byId.get(id);
    return p ? [{ productId: p.id, vendorId: p.vendorId, status: p.status, visible: isVisible(p) }] : [];
  });
}

/** Counts a view of a visible product (no auth: page views are public). */
export async function recordView(ctx: CatalogContext, id: string): Promise<boolean> {
  if (!isUuid(id)) throw new NotFoundError('Product', id);
  // One counted view per product per client address every 10 minutes: a script cannot push a
  // product up the POPULARITY sort, and repeated views don't rewrite the row.
  const seen = await ctx.infra.kv.hit(`catalog:view:${id}:${ctx.clientIp ?? 'unknown'}`, 1, 600);
  if (!seen.allowed) return true;
  const r = await ctx.em.query(`UPDATE product p SET view_count = view_count + 1 WHERE id = $1 AND ${VISIBLE_SQL}`, [id]);
  // pg answers [rows, count] for UPDATE through TypeORM's query().
  const count = Array.isArray(r) ? Number(r[1] ?? 0) : 0;
  if (!count) throw new NotFoundError('Product', id);
  return true;
}

export const isAdmin = (ctx: CatalogContext) => hasRole(ctx, 'ADMIN');
