import DataLoader from 'dataloader';
import { BadUserInputError, decodeCursor, encodeCursor, isUuid, pageSize } from '@fashionistar/shared';
import type { CatalogContext } from '../context';
import type { StockMovementEntity } from '../entities/detail.entity';
import type { ProductEntity } from '../entities/product.entity';
import { requireManage } from './access.service';

/**
 * The read side of the stock ledger (the writes are in inventory.service): a product's movements,
 * newest first, for its store's members and admins. First pages of many products (a dashboard
 * table asking each row for its last movements) are one statement, a LATERAL walk of the
 * (product_id, created_at DESC) index per product; totals are one grouped count.
 */

/** A page of stock movements; totalCount runs its COUNT only when a client asks for it. */
export interface MovementPage {
  edges: Array<{ node: StockMovementEntity; cursor: string }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: () => Promise<number>;
}

export interface MovementArgs {
  first?: number | null;
  after?: string | null;
  variantId?: string | null;
}

type Row = StockMovementEntity & { k0: string };

const COLUMNS = `m.id, m.product_id AS "productId", m.variant_id AS "variantId", m.delta, m.resulting_stock AS "resultingStock",
  m.reason, m.actor_id AS "actorId", m.created_at AS "createdAt", m.created_at::text AS k0`;

/** FORBIDDEN (UNAUTHENTICATED when signed out) unless the caller manages the product's store. */
export async function stockMovements(ctx: CatalogContext, product: ProductEntity, args: MovementArgs): Promise<MovementPage> {
  await requireManage(ctx, product.vendorId);
  const limit = pageSize(args.first, 100, 20);
  const variantId = args.variantId ?? null;
  if (variantId !== null && !isUuid(variantId)) throw new BadUserInputError('variantId does not name a variant.', 'variantId');
  const rows = args.after
    ? await pageAfter(ctx, product.id, variantId, limit, movementCursor(args.after))
    : await firstPages(ctx, limit, variantId).load(product.id);
  const edges = rows.slice(0, limit).map(({ k0, ...node }) => ({ node, cursor: encodeCursor([k0, node.id]) }));
  return {
    edges,
    pageInfo: { hasNextPage: rows.length > limit, endCursor: edges.at(-1)?.cursor ?? null },
    totalCount: () => counts(ctx, variantId).load(product.id),
  };
}

const TIMESTAMP = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:?\d{2})?$/;

/** A ledger cursor: (created_at as Postgres text, id), checked before it reaches SQL. */
function movementCursor(after: string): [string, string] {
  const [at, id] = decodeCursor(after, 2);
  if (typeof at !== 'string' || !TIMESTAMP.test(at) || typeof id !== 'string' || !isUuid(id))
    throw new BadUserInputError('This cursor does not belong to this list.', 'after');
  return [at, id];
}

const firstPages = (ctx: CatalogContext, limit: number, variantId: string | null) =>
  ctx.loaders.get(
    `stockMovementFirstPage:${limit}:${variantId ?? ''}`,
    () =>
      new DataLoader<string, Row[]>(async (productIds) => {
        const rows: Array<Row & { pid: string }> = await ctx.em.query(
          `SELECT x.pid, ${COLUMNS} FROM unnest($1::uuid[]) AS x(pid)
           CROSS JOIN LATERAL (
             SELECT * FROM stock_movement s
              WHERE s.product_id = x.pid AND ($2::uuid IS NULL OR s.variant_id = $2::uuid)
              ORDER BY s.created_at DESC, s.id DESC LIMIT $3
           ) m ORDER BY m.created_at DESC, m.id DESC`,
          [[...productIds], variantId, limit + 1],
        );
        return productIds.map((id) => rows.filter((r) => r.pid === id).map(({ pid: _pid, ...row }) => row));
      }),
  );

async function pageAfter(ctx: CatalogContext, productId: string, variantId: string | null, limit: number, cursor: [string, string]) {
  const rows: Row[] = await ctx.em.query(
    `SELECT ${COLUMNS} FROM stock_movement m
      WHERE m.product_id = $1 AND ($2::uuid IS NULL OR m.variant_id = $2::uuid)
        AND (m.created_at, m.id) < ($3::timestamptz, $4::uuid)
      ORDER BY m.created_at DESC, m.id DESC LIMIT $5`,
    [productId, variantId, cursor[0], cursor[1], limit + 1],
  );
  return rows;
}

const counts = (ctx: CatalogContext, variantId: string | null) =>
  ctx.loaders.get(
    `stockMovementCounts:${variantId ?? ''}`,
    () =>
      new DataLoader<string, number>(async (productIds) => {
        const rows: Array<{ product_id: string; n: number }> = await ctx.em.query(
          `SELECT product_id, count(*)::int AS n FROM stock_movement
            WHERE product_id = ANY($1::uuid[]) AND ($2::uuid IS NULL OR variant_id = $2::uuid) GROUP BY product_id`,
          [[...productIds], variantId],
        );
        const byProduct = new Map(rows.map((r) => [r.product_id, r.n]));
        return productIds.map((id) => byProduct.get(id) ?? 0);
      }),
  );
