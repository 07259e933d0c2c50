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
  /** SQL type the cursor value is cast to. */
  cast: 'text' | 'timestamptz';
}

const BY_NAME: Order = { property: 'name', keyOf: (v) => v.name, cast: 'text' };
// created_at is timestamptz(3), so the millisecond ISO string of a JS Date names the row exactly.
const BY_AGE: Order = { property: 'createdAt', keyOf: (v) => v.createdAt.toISOString(), cast: 'timestamptz' };

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
    if (typeof key !== 'string' || typeof id !== 'string' || !isUuid(id))
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
