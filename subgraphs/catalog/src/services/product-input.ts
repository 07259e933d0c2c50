import { In } from 'typeorm';
import { ConflictError, Problems, isUuid, optionalText, parseKobo, requireText } from '@fashionistar/shared';
import type { CatalogContext } from '../context';
import { BrandEntity } from '../entities/brand.entity';
import { CategoryEntity } from '../entities/category.entity';
import type { ProductEntity } from '../entities/product.entity';
import { VariantEntity } from '../entities/variant.entity';
import * as v from './validate';

/**
 * The product inputs of createProduct and updateProduct, read into columns with every problem
 * collected first: one BAD_USER_INPUT lists them all, each under its path from the operation's
 * arguments (`input.price`, `input.images.0.url`, `input.variants.1.size`).
 */

export const MAX_VARIANTS = 100;
export const MAX_IMAGES = 30;
const MAX_DETAILS = 50;

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

type SpecArgs = Array<{ name: string; value: string }>;
type FaqArgs = Array<{ question: string; answer: string }>;

export interface CreateProductArgs {
  title: string;
  description: string;
  price: string;
  oldPrice?: string | null;
  shippingAmount?: string | null;
  categoryId: string;
  brandId?: string | null;
  stock?: number | null;
  tags?: string[] | null;
  hotDeal?: boolean | null;
  specialOffer?: boolean | null;
  tailoringLeadDays?: number | null;
  variants?: VariantArgs[] | null;
  images?: ImageArgs[] | null;
  specifications?: SpecArgs | null;
  faqs?: FaqArgs | null;
}

/** Every field optional and nullable (GraphQL input): absent keeps, null clears where allowed. */
export type UpdateProductArgs = { [K in keyof Omit<CreateProductArgs, 'variants' | 'images' | 'stock'>]?: CreateProductArgs[K] | null } & {
  clearOldPrice?: boolean | null;
};

export interface ImageRow {
  url: string;
  alt: string | null;
}
export interface DetailRows {
  specifications?: Array<{ name: string; value: string }>;
  faqs?: Array<{ question: string; answer: string }>;
}

/** An image's columns, problems under `path` (`input` for addProductImage, `input.images.3` in a product). */
export function imageRow(p: Problems, img: ImageArgs, path: string): ImageRow | undefined {
  const url = p.check(`${path}.url`, () => v.imageUrl(img.url, 'url'));
  const alt = p.check(`${path}.alt`, () => optionalText(img.alt, 'alt', 200));
  return url === undefined || alt === undefined ? undefined : { url, alt };
}

/** Variants of one product input: each checked, and no two with the same options or SKU. */
function variantRows(p: Problems, list: VariantArgs[], priceKobo: number | undefined): v.VariantFields[] {
  if (list.length > MAX_VARIANTS) p.add('input.variants', `A product has at most ${MAX_VARIANTS} variants.`);
  const seenOptions = new Set<string>();
  const seenSkus = new Set<string>();
  const rows: v.VariantFields[] = [];
  list.forEach((input, i) => {
    const row = v.variantFields(p, input, `input.variants.${i}`, priceKobo);
    if (!row) return;
    const key = v.optionsKey(row.size, row.colour);
    if (seenOptions.has(key)) p.add(`input.variants.${i}.size`, 'Another variant has the same size and colour.');
    if (seenSkus.has(row.sku)) p.add(`input.variants.${i}.sku`, 'Another variant has the same SKU.');
    seenOptions.add(key);
    seenSkus.add(row.sku);
    rows.push(row);
  });
  return rows;
}

function detailRows(p: Problems, specs: SpecArgs | null | undefined, faqs: FaqArgs | null | undefined): DetailRows {
  const out: DetailRows = {};
  if (specs !== undefined) {
    if ((specs ?? []).length > MAX_DETAILS) p.add('input.specifications', `At most ${MAX_DETAILS} specification lines.`);
    out.specifications = (specs ?? []).map((s, i) => ({
      name: p.check(`input.specifications.${i}.name`, () => requireText(s.name, 'name', 100)) ?? '',
      value: p.check(`input.specifications.${i}.value`, () => requireText(s.value, 'value', 500)) ?? '',
    }));
  }
  if (faqs !== undefined) {
    if ((faqs ?? []).length > MAX_DETAILS) p.add('input.faqs', `At most ${MAX_DETAILS} questions.`);
    out.faqs = (faqs ?? []).map((f, i) => ({
      question: p.check(`input.faqs.${i}.question`, () => requireText(f.question, 'question', 300)) ?? '',
      answer: p.check(`input.faqs.${i}.answer`, () => requireText(f.answer, 'answer', 2000)) ?? '',
    }));
  }
  return out;
}

/** Adds a problem for a category or brand id that names nothing (one statement each at most). */
async function checkRefs(ctx: CatalogContext, p: Problems, categoryId: string | null | undefined, brandId: string | null | undefined) {
  if (categoryId != null) {
    if (!isUuid(categoryId) || !(await ctx.em.exists(CategoryEntity, { where: { id: categoryId } })))
      p.add('input.categoryId', 'categoryId does not name an existing category.');
  }
  if (brandId != null) {
    if (!isUuid(brandId) || !(await ctx.em.exists(BrandEntity, { where: { id: brandId } })))
      p.add('input.brandId', 'brandId does not name an existing brand.');
  }
}

/** SKUs already on sale elsewhere: CONFLICT on the first one's path (checked before the insert names no index). */
export async function checkSkusFree(ctx: CatalogContext, skus: string[], pathOf: (i: number) => string): Promise<void> {
  if (!skus.length) return;
  const taken = await ctx.em.find(VariantEntity, { where: { sku: In(skus) }, select: { sku: true } });
  const used = new Set(taken.map((t) => t.sku));
  const i = skus.findIndex((s) => used.has(s));
  if (i >= 0) throw new ConflictError(`The SKU ${skus[i]} is already used.`, pathOf(i));
}

export interface CreateProductRows {
  product: Pick<
    ProductEntity,
    | 'title'
    | 'description'
    | 'priceKobo'
    | 'oldPriceKobo'
    | 'shippingKobo'
    | 'stock'
    | 'tags'
    | 'hotDeal'
    | 'specialOffer'
    | 'tailoringLeadDays'
    | 'categoryId'
    | 'brandId'
  >;
  variants: v.VariantFields[];
  images: ImageRow[];
  details: DetailRows;
}

/** createProduct's input as rows, or one BAD_USER_INPUT with every problem. */
export async function readCreateInput(ctx: CatalogContext, input: CreateProductArgs): Promise<CreateProductRows> {
  const p = new Problems();
  const priceKobo = p.check('input.price', () => v.positivePrice(input.price, 'price'));
  const oldKobo = input.oldPrice ? p.check('input.oldPrice', () => v.positivePrice(input.oldPrice!, 'oldPrice')) : null;
  if (priceKobo !== undefined && oldKobo != null && oldKobo <= priceKobo) p.add('input.oldPrice', 'oldPrice must be higher than price.');
  const product = {
    title: p.check('input.title', () => v.title(input.title))!,
    description: p.check('input.description', () => v.description(input.description))!,
    priceKobo: String(priceKobo),
    oldPriceKobo: oldKobo == null ? null : String(oldKobo),
    shippingKobo: String(
      p.check('input.shippingAmount', () => (input.shippingAmount ? parseKobo(input.shippingAmount, 'shippingAmount') : 0)),
    ),
    stock: p.check('input.stock', () => v.stockCount(input.stock))!,
    tags: p.check('input.tags', () => v.tagList(input.tags))!,
    hotDeal: !!input.hotDeal,
    specialOffer: !!input.specialOffer,
    tailoringLeadDays: p.check('input.tailoringLeadDays', () => v.leadDays(input.tailoringLeadDays))!,
    categoryId: input.categoryId,
    brandId: input.brandId ?? null,
  };
  const variants = variantRows(p, input.variants ?? [], priceKobo);
  const images = input.images ?? [];
  if (images.length > MAX_IMAGES) p.add('input.images', `A product has at most ${MAX_IMAGES} images.`);
  const imageRows = images.flatMap((img, i) => imageRow(p, img, `input.images.${i}`) ?? []);
  const details = detailRows(p, input.specifications ?? undefined, input.faqs ?? undefined);
  await checkRefs(ctx, p, product.categoryId, product.brandId);
  p.throwIfAny();
  return { product, variants, images: imageRows, details };
}

export interface UpdateProductRows {
  patch: Partial<ProductEntity>;
  details: DetailRows;
}

/**
 * updateProduct's input as a patch: absent keeps, null clears oldPrice, brandId, tags,
 * tailoringLeadDays, specifications and faqs, and is a problem on every other field.
 */
export async function readUpdateInput(ctx: CatalogContext, current: ProductEntity, input: UpdateProductArgs): Promise<UpdateProductRows> {
  const p = new Problems();
  const patch: Partial<ProductEntity> = {};
  const set = <K extends keyof ProductEntity>(key: K, value: ProductEntity[K] | undefined) => {
    if (value !== undefined) patch[key] = value;
  };
  set('title', v.kept(p, input.title, 'input.title', v.title));
  set('description', v.kept(p, input.description, 'input.description', v.description));
  const price = v.kept(p, input.price, 'input.price', (x) => v.positivePrice(x, 'price'));
  set('priceKobo', price === undefined ? undefined : String(price));
  const old = v.clearable(p, input.oldPrice, 'input.oldPrice', (x) => v.positivePrice(x, 'oldPrice'));
  set('oldPriceKobo', old === undefined ? undefined : old === null ? null : String(old));
  if (input.clearOldPrice) {
    if (input.oldPrice != null) p.add('input.clearOldPrice', 'Give a new oldPrice or clear it, not both.');
    else patch.oldPriceKobo = null;
  }
  const shipping = v.kept(p, input.shippingAmount, 'input.shippingAmount', (x) => parseKobo(x, 'shippingAmount'));
  set('shippingKobo', shipping === undefined ? undefined : String(shipping));
  set(
    'categoryId',
    v.kept(p, input.categoryId, 'input.categoryId', (x) => x),
  );
  set(
    'brandId',
    v.clearable(p, input.brandId, 'input.brandId', (x) => x),
  );
  const tags = v.clearable(p, input.tags, 'input.tags', v.tagList);
  set('tags', tags === null ? [] : tags);
  set('hotDeal', v.kept(p, input.hotDeal, 'input.hotDeal', Boolean));
  set('specialOffer', v.kept(p, input.specialOffer, 'input.specialOffer', Boolean));
  set('tailoringLeadDays', v.clearable(p, input.tailoringLeadDays, 'input.tailoringLeadDays', v.leadDays));
  // The old price must stay above the price, whichever of the two changed (a bad one is already a problem).
  const priceBad = input.price != null && price === undefined;
  const oldBad = input.oldPrice != null && old === undefined;
  if (!priceBad && !oldBad) {
    const newPrice = Number(patch.priceKobo ?? current.priceKobo);
    const newOld = patch.oldPriceKobo !== undefined ? patch.oldPriceKobo : current.oldPriceKobo;
    if (newOld !== null && Number(newOld) <= newPrice) {
      if (input.oldPrice != null) p.add('input.oldPrice', 'oldPrice must be higher than price.');
      else p.add('input.price', 'The price must stay below the old price; change or clear oldPrice (oldPrice: null).');
    }
  }
  const details = detailRows(p, input.specifications, input.faqs);
  await checkRefs(ctx, p, patch.categoryId, patch.brandId);
  p.throwIfAny();
  return { patch, details };
}
