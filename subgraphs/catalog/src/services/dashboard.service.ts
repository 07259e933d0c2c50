import { BadUserInputError, decodeCursor, isUuid, pageSize, lookupText } from '@fashionistar/shared';
import type { VendorProductSort } from '../__generated__/resolvers-types';
import type { CatalogContext } from '../context';
import { ProductEntity } from '../entities/product.entity';
import { canManage } from './access.service';
import { VISIBLE_SQL } from './product.service';
import { keysetProductPage, listProducts, type ProductPage, type SortKey } from './search.service';
import { emptyPage, storeFirstPage } from './showcase.service';

/**
 * A store's product list (Vendor.products). For its members and admins it is the dashboard's
 * product table: every status, searchable by title or SKU, sortable by name, price or stock, and
 * filterable to the products running low. Everyone else gets the store page: the same arguments
 * over the visible products only. Without search, sort or lowStock the public path stays the
 * batched store page of showcase.service (many stores' first pages in one statement).
 */

/** A product runs low at this many units or fewer (per variant on sale, or its own stock without variants). */
export const LOW_STOCK_THRESHOLD = 5;

export interface StoreListArgs {
  first?: number | null;
  after?: string | null;
  status?: string | null;
  search?: string | null;
  sort?: VendorProductSort | null;
  lowStock?: boolean | null;
}

const LIVE_VARIANT = `SELECT 1 FROM variant v WHERE v.product_id = p.id AND v.removed_at IS NULL`;

/** Units on sale in all: the product's own stock plus its live variants'. */
export const TOTAL_STOCK_SQL = `(p.stock + coalesce((SELECT sum(v.stock) FROM variant v WHERE v.product_id = p.id AND v.removed_at IS NULL), 0))::bigint`;

const LOW_STOCK_SQL = `(CASE WHEN EXISTS (${LIVE_VARIANT}) THEN EXISTS (${LIVE_VARIANT} AND v.stock <= ${LOW_STOCK_THRESHOLD})
  ELSE p.stock <= ${LOW_STOCK_THRESHOLD} END)`;

function sortKeys(sort: VendorProductSort, member: boolean): { keys: SortKey[]; dir: 'ASC' | 'DESC' } {
  const id: SortKey = { expr: 'p.id', cast: 'uuid' };
  switch (sort) {
    case 'NAME':
      return { keys: [{ expr: 'lower(p.title)', cast: 'text' }, id], dir: 'ASC' };
    case 'PRICE_ASC':
      return { keys: [{ expr: 'p.price_kobo', cast: 'bigint' }, id], dir: 'ASC' };
    case 'PRICE_DESC':
      return { keys: [{ expr: 'p.price_kobo', cast: 'bigint' }, id], dir: 'DESC' };
    case 'STOCK_ASC':
      return { keys: [{ expr: TOTAL_STOCK_SQL, cast: 'bigint' }, id], dir: 'ASC' };
    case 'STOCK_DESC':
      return { keys: [{ expr: TOTAL_STOCK_SQL, cast: 'bigint' }, id], dir: 'DESC' };
    case 'NEWEST':
    default:
      return { keys: [{ expr: member ? 'p.created_at' : 'p.published_at', cast: 'timestamptz' }, id], dir: 'DESC' };
  }
}

const CURSOR_VALUE: Record<string, RegExp> = {
  timestamptz: /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:?\d{2})?$/,
  bigint: /^-?\d{1,18}$/,
  text: /^[^\0]{0,200}$/,
  uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
};

/** `%`, `_` and `\` match themselves in the ILIKE pattern. */
const likePattern = (s: string) => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** The store's products as the caller may see them (see the module comment). */
export async function storeProducts(ctx: CatalogContext, vendorId: string, args: StoreListArgs): Promise<ProductPage> {
  if (!isUuid(vendorId)) return emptyPage();
  const member = await canManage(ctx, vendorId);
  const search = lookupText(args.search, 'search', 100) || null;
  if (!member) {
    if (args.status && args.status !== 'PUBLISHED') return emptyPage();
    // The plain store page keeps its batched first page and listProducts' cursors.
    if (!search && args.lowStock == null && (args.sort ?? 'NEWEST') === 'NEWEST') {
      if (args.after) return listProducts(ctx, { first: args.first, after: args.after, filter: { vendorId }, sort: 'NEWEST' });
      return storeFirstPage(ctx, vendorId, args.first);
    }
  }
  const limit = pageSize(args.first, 100, 20);
  const sort = args.sort ?? 'NEWEST';
  const { keys, dir } = sortKeys(sort, member);
  const tag = `store:${sort}`;

  const base = () => {
    const qb = ctx.em.createQueryBuilder(ProductEntity, 'p').where('p.vendor_id = :vendorId', { vendorId });
    if (!member) qb.andWhere(VISIBLE_SQL);
    else if (args.status) qb.andWhere('p.status = :status', { status: args.status });
    if (search) {
      qb.andWhere(`(p.title ILIKE :like OR EXISTS (${LIVE_VARIANT} AND v.sku ILIKE :like))`, { like: likePattern(search) });
    }
    if (args.lowStock === true) qb.andWhere(LOW_STOCK_SQL);
    if (args.lowStock === false) qb.andWhere(`NOT ${LOW_STOCK_SQL}`);
    return qb;
  };
  let cursor: string[] | null = null;
  if (args.after) {
    const [cursorTag, ...values] = decodeCursor(args.after, keys.length + 1);
    const fits = cursorTag === tag && values.every((v, i) => typeof v === 'string' && CURSOR_VALUE[keys[i]!.cast]!.test(v));
    if (!fits) throw new BadUserInputError('This cursor does not belong to this list.', 'after');
    cursor = values as string[];
  }
  return keysetProductPage(ctx, base, { keys, dir, limit, tag, cursor });
}
