import {
  BadUserInputError,
  decodeCursor,
  encodeCursor,
  isUuid,
  optionalText,
  pageSize,
  requireRole,
  toConnection,
  type Connection,
  type PageArgs,
} from '@fashionistar/shared';
import type { SelectQueryBuilder } from 'typeorm';
import type { VendorsContext } from '../context';
import { VendorEntity, type VendorStatus } from '../entities/vendor.entity';
import { vendorById } from '../loaders/vendor.loaders';

/** How a list is ordered: a property plus the id as tiebreaker, both compared as one row value. */
interface Order {
  property: 'name' | 'createdAt';
  /** The cursor value of a row for `property`. */
  keyOf: (v: VendorEntity) => string;
  /**
   * True for a cursor value `keyOf` could have written. Anything else is refused before the
   * query: cast in SQL it would be an internal error, or page from a position no store has.
   */
  validKey: (key: unknown) => key is string;
  /** SQL type the cursor value is cast to. */
  cast: 'text' | 'timestamptz';
}

/** True for the exact text `Date.prototype.toISOString` writes for a real instant (no 30 February). */
function isIsoInstant(key: unknown): key is string {
  if (typeof key !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(key)) return false;
  const at = new Date(key);
  return !Number.isNaN(at.getTime()) && at.toISOString() === key;
}

// A store name as validName leaves it: trimmed, 1 to 100 characters (and never a NUL, which
// Postgres text cannot hold).
const BY_NAME: Order = {
  property: 'name',
  keyOf: (v) => v.name,
  validKey: (key): key is string =>
    typeof key === 'string' && key.length > 0 && key.length <= 100 && key === key.trim() && !key.includes('\u0000'),
  cast: 'text',
};
// created_at is timestamptz(3), so the millisecond ISO string of a JS Date names the row exactly.
const BY_AGE: Order = {
  property: 'createdAt',
  keyOf: (v) => v.createdAt.toISOString(),
  validKey: isIsoInstant,
  cast: 'timestamptz',
};

/**
 * One keyset page of `qb`: rows after the cursor's (key, id), so a store inserted before the
 * cursor neither shifts nor repeats later pages. Two statements: the page and the total.
 */
async function page(
  ctx: VendorsContext,
  qb: SelectQueryBuilder<VendorEntity>,
  args: PageArgs,
  order: Order,
): Promise<Connection<VendorEntity>> {
  const limit = pageSize(args.first);
  const rowsQb = qb.clone();
  if (args.after) {
    const [key, id] = decodeCursor(args.after, 2);
    if (!order.validKey(key) || typeof id !== 'string' || !isUuid(id))
      throw new BadUserInputError('This cursor is not valid here.', 'after');
    rowsQb.andWhere(`(v.${order.property}, v.id) > (CAST(:afterKey AS ${order.cast}), CAST(:afterId AS uuid))`, {
      afterKey: key,
      afterId: id,
    });
  }
  const [rows, total] = await Promise.all([
    rowsQb
      .orderBy(`v.${order.property}`, 'ASC')
      .addOrderBy('v.id', 'ASC')
      .limit(limit + 1)
      .getMany(),
    qb.getCount(),
  ]);
  for (const v of rows) vendorById(ctx).prime(v.id, v);
  return toConnection(rows, limit, total, (v) => encodeCursor([order.keyOf(v), v.id]));
}

/** The public directory: APPROVED stores by name, optionally those whose name contains `search`. */
export async function listVendors(
  ctx: VendorsContext,
  args: PageArgs & { filter?: { search?: string | null } | null },
): Promise<Connection<VendorEntity>> {
  const qb = ctx.em.createQueryBuilder(VendorEntity, 'v').where('v.status = :status', { status: 'APPROVED' });
  const search = optionalText(args.filter?.search, 'filter.search', 100);
  // Escape LIKE's wildcards so "50%" matches the text "50%", not "50" followed by anything.
  if (search) qb.andWhere(`v.name ILIKE :search`, { search: `%${search.replace(/[\\%_]/g, '\\$&')}%` });
  return page(ctx, qb, args, BY_NAME);
}

/** Every store, or those of one status, oldest first (the order admins review applications in). ADMIN only. */
export async function adminListVendors(
  ctx: VendorsContext,
  args: PageArgs & { status?: VendorStatus | null },
): Promise<Connection<VendorEntity>> {
  requireRole(ctx, 'ADMIN');
  const qb = ctx.em.createQueryBuilder(VendorEntity, 'v');
  if (args.status) qb.where('v.status = :status', { status: args.status });
  return page(ctx, qb, args, BY_AGE);
}
