import { randomUUID } from 'node:crypto';
import { In, IsNull } from 'typeorm';
import {
  BadUserInputError,
  ConflictError,
  NotFoundError,
  Problems,
  inTransaction,
  isUuid,
  optionalText,
  requireRole,
  requireText,
  uniqueViolation,
  validateAll,
  lookupText,
} from '@fashionistar/shared';
import type { CatalogContext } from '../context';
import { BrandEntity } from '../entities/brand.entity';
import { CategoryEntity } from '../entities/category.entity';
import { CollectionEntity } from '../entities/collection.entity';
import { ProductEntity } from '../entities/product.entity';
import { brandBySlug, categoryBySlug } from '../loaders/product.loaders';
import { clearable, imageUrl, kept, slugify } from './validate';

/** Every category, parents before children (depth-first by position), with its depth. */
export async function listCategories(ctx: CatalogContext): Promise<CategoryEntity[]> {
  const rows: Array<{ id: string; depth: number }> = await ctx.em.query(
    `WITH RECURSIVE tree AS (
       SELECT id, 0 AS depth, ARRAY[position, 0] AS path, ARRAY[name] AS names FROM category WHERE parent_id IS NULL
       UNION ALL
       SELECT c.id, t.depth + 1, t.path || c.position, t.names || c.name FROM category c JOIN tree t ON c.parent_id = t.id
     ) SELECT id, depth FROM tree ORDER BY path, names`,
  );
  const entities = await ctx.em.find(CategoryEntity, { where: { id: In(rows.map((r) => r.id)) } });
  const byId = new Map(entities.map((e) => [e.id, e]));
  return rows.map((r) => Object.assign(byId.get(r.id)!, { depth: r.depth }));
}

export const listBrands = (ctx: CatalogContext) => ctx.em.find(BrandEntity, { order: { name: 'ASC' } });

/** A slug as given by a client: trimmed and lower-cased (slugs are stored lower case); null when it cannot name anything. */
const slugKey = (raw: string): string | null => {
  const slug = raw.trim().toLowerCase();
  return slug && slug.length <= 200 ? slug : null;
};

/** A category by slug (case-insensitive), or null. Categories have no hidden state: every one is public. */
export async function findCategory(ctx: CatalogContext, slug: string): Promise<CategoryEntity | null> {
  const key = slugKey(lookupText(slug, 'slug'));
  return key ? categoryBySlug(ctx).load(key) : null;
}

/** A brand by slug (case-insensitive), or null. */
export async function findBrand(ctx: CatalogContext, slug: string): Promise<BrandEntity | null> {
  const key = slugKey(lookupText(slug, 'slug'));
  return key ? brandBySlug(ctx).load(key) : null;
}

export const listCollections = (ctx: CatalogContext) =>
  ctx.em.find(CollectionEntity, { where: { active: true }, order: { position: 'ASC', name: 'ASC' } });

export const findCollection = (ctx: CatalogContext, slug: string) =>
  ctx.em.findOne(CollectionEntity, { where: { slug: lookupText(slug, 'slug'), active: true } });

/** Name, description and image of a new category, brand or collection; problems under `input.…`. */
function namedFields(
  p: Problems,
  input: { name: string; description?: string | null; imageUrl?: string | null },
  urlField: 'imageUrl' | 'logoUrl',
): { name: string; description: string | null; url: string | null } {
  return {
    name: p.check('input.name', () => requireText(input.name, 'name', 100))!,
    description: p.check('input.description', () => optionalText(input.description, 'description', 1000))!,
    url: p.check(`input.${urlField}`, () => (input.imageUrl ? imageUrl(input.imageUrl, urlField) : null))!,
  };
}

/** Inserts a named thing with a unique slug (derived from the name unless given): CONFLICT on a taken slug. */
async function insertWithSlug<E extends { id: string }>(ctx: CatalogContext, entity: new () => E, row: E): Promise<E> {
  try {
    await ctx.em.insert(entity, row as never);
    return row;
  } catch (error) {
    if (uniqueViolation(error)) throw new ConflictError('This slug is already used.', 'input.slug');
    throw error;
  }
}

export async function createCategory(
  ctx: CatalogContext,
  input: { name: string; slug?: string | null; description?: string | null; imageUrl?: string | null; parentId?: string | null },
): Promise<CategoryEntity> {
  requireRole(ctx, 'ADMIN');
  const p = new Problems();
  const fields = namedFields(p, input, 'imageUrl');
  if (input.parentId && (!isUuid(input.parentId) || !(await ctx.em.exists(CategoryEntity, { where: { id: input.parentId } })))) {
    p.add('input.parentId', 'parentId does not name an existing category.');
  }
  p.throwIfAny();
  const position = await ctx.em.count(CategoryEntity, { where: { parentId: input.parentId ?? IsNull() } });
  return insertWithSlug(ctx, CategoryEntity, {
    id: randomUUID(),
    name: fields.name,
    slug: slugify(input.slug?.trim() || fields.name),
    description: fields.description,
    imageUrl: fields.url,
    parentId: input.parentId ?? null,
    position,
  });
}

export async function createBrand(
  ctx: CatalogContext,
  input: { name: string; slug?: string | null; logoUrl?: string | null; description?: string | null },
) {
  requireRole(ctx, 'ADMIN');
  const fields = validateAll((p) => namedFields(p, { ...input, imageUrl: input.logoUrl }, 'logoUrl'));
  return insertWithSlug(ctx, BrandEntity, {
    id: randomUUID(),
    name: fields.name,
    slug: slugify(input.slug?.trim() || fields.name),
    logoUrl: fields.url,
    description: fields.description,
  });
}

export async function createCollection(
  ctx: CatalogContext,
  input: { name: string; slug?: string | null; description?: string | null; imageUrl?: string | null },
) {
  requireRole(ctx, 'ADMIN');
  const fields = validateAll((p) => namedFields(p, input, 'imageUrl'));
  return insertWithSlug(ctx, CollectionEntity, {
    id: randomUUID(),
    name: fields.name,
    slug: slugify(input.slug?.trim() || fields.name),
    description: fields.description,
    imageUrl: fields.url,
    position: await ctx.em.count(CollectionEntity),
    active: true,
  });
}

/** Replaces a collection's products with `productIds` in that order. */
export async function setCollectionProducts(ctx: CatalogContext, collectionId: string, productIds: string[]): Promise<CollectionEntity> {
  requireRole(ctx, 'ADMIN');
  const collection = isUuid(collectionId) ? await ctx.em.findOne(CollectionEntity, { where: { id: collectionId } }) : null;
  if (!collection) throw new NotFoundError('Collection', collectionId);
  if (new Set(productIds).size !== productIds.length) throw new BadUserInputError('productIds has duplicates.', 'productIds');
  const valid = productIds.filter(isUuid);
  const found = valid.length ? await ctx.em.count(ProductEntity, { where: { id: In(valid) } }) : 0;
  if (found !== productIds.length) throw new BadUserInputError('productIds names products that do not exist.', 'productIds');
  await inTransaction(ctx, async (tx) => {
    await tx.em.query(`DELETE FROM collection_item WHERE collection_id = $1`, [collectionId]);
    if (productIds.length) {
      await tx.em.query(
        `INSERT INTO collection_item (collection_id, product_id, position) SELECT $1, id, ord - 1 FROM unnest($2::uuid[]) WITH ORDINALITY AS t(id, ord)`,
        [collectionId, productIds],
      );
    }
  });
  return collection;
}

/**
 * The common part of the taxonomy update inputs: absent keeps, null clears description and
 * image, and is BAD_USER_INPUT on the name.
 */
function namedPatch(
  p: Problems,
  input: { name?: string | null; description?: string | null; imageUrl?: string | null },
  urlField: 'imageUrl' | 'logoUrl',
): { name?: string; description?: string | null; imageUrl?: string | null } {
  const name = kept(p, input.name, 'input.name', (x) => requireText(x, 'name', 100));
  const description = clearable(p, input.description, 'input.description', (x) => optionalText(x, 'description', 1000));
  const url = clearable(p, input.imageUrl, `input.${urlField}`, (x) => imageUrl(x, urlField));
  return {
    ...(name !== undefined && { name }),
    ...(description !== undefined && { description }),
    ...(url !== undefined && { imageUrl: url }),
  };
}

/** Changes to a category; the slug stays stable. Moving it under one of its own descendants is refused. */
export async function updateCategory(
  ctx: CatalogContext,
  id: string,
  input: { name?: string | null; description?: string | null; imageUrl?: string | null; parentId?: string | null },
): Promise<CategoryEntity> {
  requireRole(ctx, 'ADMIN');
  const current = isUuid(id) ? await ctx.em.findOne(CategoryEntity, { where: { id } }) : null;
  if (!current) throw new NotFoundError('Category', id);
  const patch: Partial<CategoryEntity> = validateAll((p) => namedPatch(p, input, 'imageUrl'));
  if (input.parentId !== undefined) {
    if (input.parentId !== null) {
      const [ok]: Array<{ cycle: boolean; found: boolean }> = isUuid(input.parentId)
        ? await ctx.em.query(
            `WITH RECURSIVE sub AS (SELECT id FROM category WHERE id = $1 UNION ALL SELECT c.id FROM category c JOIN sub ON c.parent_id = sub.id)
             SELECT EXISTS (SELECT 1 FROM sub WHERE id = $2) AS cycle, EXISTS (SELECT 1 FROM category WHERE id = $2) AS found`,
            [id, input.parentId],
          )
        : [];
      if (!ok?.found) throw new BadUserInputError('parentId does not name an existing category.', 'input.parentId');
      if (ok.cycle) throw new BadUserInputError('A category cannot move under itself or its descendants.', 'input.parentId');
    }
    patch.parentId = input.parentId;
  }
  if (Object.keys(patch).length) await ctx.em.update(CategoryEntity, { id }, patch);
  return ctx.em.findOneOrFail(CategoryEntity, { where: { id } });
}

export async function updateBrand(
  ctx: CatalogContext,
  id: string,
  input: { name?: string | null; logoUrl?: string | null; description?: string | null },
) {
  requireRole(ctx, 'ADMIN');
  const current = isUuid(id) ? await ctx.em.findOne(BrandEntity, { where: { id } }) : null;
  if (!current) throw new NotFoundError('Brand', id);
  const patch: Partial<BrandEntity> = validateAll((p) => {
    const { imageUrl: logoUrl, ...rest } = namedPatch(p, { ...input, imageUrl: input.logoUrl }, 'logoUrl');
    return { ...rest, ...(logoUrl !== undefined && { logoUrl }) };
  });
  if (Object.keys(patch).length) await ctx.em.update(BrandEntity, { id }, patch);
  return ctx.em.findOneOrFail(BrandEntity, { where: { id } });
}

export async function updateCollection(
  ctx: CatalogContext,
  id: string,
  input: { name?: string | null; description?: string | null; imageUrl?: string | null; active?: boolean | null },
) {
  requireRole(ctx, 'ADMIN');
  const current = isUuid(id) ? await ctx.em.findOne(CollectionEntity, { where: { id } }) : null;
  if (!current) throw new NotFoundError('Collection', id);
  const patch: Partial<CollectionEntity> = validateAll((p) => {
    const active = kept(p, input.active, 'input.active', Boolean);
    return { ...namedPatch(p, input, 'imageUrl'), ...(active !== undefined && { active }) };
  });
  if (Object.keys(patch).length) await ctx.em.update(CollectionEntity, { id }, patch);
  return ctx.em.findOneOrFail(CollectionEntity, { where: { id } });
}
