import DataLoader from 'dataloader';
import { In } from 'typeorm';
import {
  BadUserInputError,
  byKey,
  decodeCursor,
  encodeCursor,
  groupByKey,
  hasRole,
  isUuid,
  pageSize,
  toConnection,
  type Connection,
  type PageArgs,
} from '@fashionistar/shared';
import type { ReviewsContext } from '../context';
import { ProductRatingEntity } from '../entities/product-rating.entity';
import { REVIEW_COLUMNS, ReviewEntity, toReview } from '../entities/review.entity';
import { emptyRating, ratingFromEntity, type RatingSummary } from '../services/rating.service';

/** Admins moderate, so they see hidden reviews in every list; everyone else sees VISIBLE ones. */
export const seesHidden = (ctx: ReviewsContext): boolean => hasRole(ctx, 'ADMIN');

/** Reviews by id, one query per request tick (entity references batch here). */
export const reviewById = (ctx: ReviewsContext) =>
  ctx.loaders.get(
    'reviewById',
    () =>
      new DataLoader<string, ReviewEntity | null>(async (ids) => {
        const valid = ids.filter(isUuid);
        const rows = valid.length ? await ctx.em.find(ReviewEntity, { where: { id: In(valid) } }) : [];
        return byKey(ids, rows, (r) => r.id);
      }),
  );

/** Rating aggregates by product id: a page of products asking for ratings is one statement. */
export const ratingByProduct = (ctx: ReviewsContext) =>
  ctx.loaders.get(
    'ratingByProduct',
    () =>
      new DataLoader<string, RatingSummary>(async (ids) => {
        const valid = ids.filter(isUuid);
        const rows = valid.length ? await ctx.em.find(ProductRatingEntity, { where: { productId: In(valid) } }) : [];
        return byKey(ids, rows.map(ratingFromEntity), (r) => r.productId).map((r, i) => r ?? emptyRating(ids[i]!));
      }),
  );

/** The caller's votes by review id (true helpful, false not, null none); callers skip anonymous users. */
export const myVoteByReview = (ctx: ReviewsContext, userId: string) =>
  ctx.loaders.get(
    'myVoteByReview',
    () =>
      new DataLoader<string, boolean | null>(async (reviewIds) => {
        const rows: Array<{ reviewId: string; helpful: boolean }> = await ctx.em.query(
          `SELECT review_id AS "reviewId", helpful FROM review_vote WHERE user_id = $1 AND review_id = ANY($2::uuid[])`,
          [userId, reviewIds.filter(isUuid)],
        );
        return byKey(reviewIds, rows, (v) => v.reviewId).map((v) => v?.helpful ?? null);
      }),
  );

/** Which list a page belongs to. */
export type ReviewListOwner = 'product' | 'author';
const OWNER_COLUMN: Record<ReviewListOwner, string> = { product: 'product_id', author: 'author_id' };
const OWNER_KEY: Record<ReviewListOwner, 'productId' | 'authorId'> = { product: 'productId', author: 'authorId' };

/** Where a page starts: just after this review (null: at the newest). */
export type PageCursor = { createdAt: string; id: string } | null;

const cursorOf = (r: ReviewEntity): string => encodeCursor([r.createdAt.toISOString(), r.id]);

/** True for the exact text `Date.prototype.toISOString` writes for a real instant (no 30 February). */
function isIsoInstant(key: unknown): key is string {
  if (typeof key !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(key)) return false;
  const at = new Date(key);
  return !Number.isNaN(at.getTime()) && at.toISOString() === key;
}

/**
 * A cursor's (createdAt, id). Only values this subgraph could have written pass: anything else
 * would reach Postgres as a cast error (an internal error) or page from a made-up position.
 */
function parseCursor(after: string): NonNullable<PageCursor> {
  const [createdAt, id] = decodeCursor(after, 2);
  if (!isIsoInstant(createdAt) || typeof id !== 'string' || !isUuid(id)) {
    throw new BadUserInputError('This cursor is not valid here.', 'after');
  }
  return { createdAt, id };
}

/**
 * The one statement behind a page of reviews for many owners: for each owner, in input order,
 * its first `limit` reviews newest first after the cursor. The LATERAL join calls
 * review_page_by_product / review_page_by_author (init migration), whose plan walks the index on
 * (owner, created_at DESC, id DESC) from the cursor and stops after `limit` rows: a product with
 * thousands of reviews costs what one with three does. Exported for the test that counts rows read.
 */
export function reviewPageQuery(
  owner: ReviewListOwner,
  ids: string[],
  limit: number,
  admin: boolean,
  cursor: PageCursor,
): { sql: string; params: unknown[] } {
  return {
    sql: `SELECT ${REVIEW_COLUMNS}
      FROM unnest($1::uuid[]) WITH ORDINALITY AS o(id, ord)
      CROSS JOIN LATERAL review_page_by_${owner}(o.id, $2::boolean, $3::timestamptz, $4::uuid, $5::integer) r
     ORDER BY o.ord, r.created_at DESC, r.id DESC`,
    params: [ids, admin, cursor?.createdAt ?? null, cursor?.id ?? null, limit],
  };
}

/**
 * A page of reviews (newest first) for many products or authors at once. One loader per distinct
 * page argument, so a list of 50 products asking `reviews(first: 3)` costs one statement for the
 * rows (reviewPageQuery: at most first + 1 rows read per owner) and at most one for the totals.
 */
export function reviewPage(ctx: ReviewsContext, owner: ReviewListOwner, args: PageArgs) {
  const limit = pageSize(args.first, 50, 10);
  const cursor = args.after ? parseCursor(args.after) : null;
  const admin = seesHidden(ctx);
  return ctx.loaders.get(
    `reviewPage:${owner}:${limit}:${args.after ?? ''}`,
    () =>
      new DataLoader<string, Connection<ReviewEntity>>(async (ids) => {
        const valid = [...new Set(ids.filter(isUuid))];
        if (!valid.length) return ids.map(() => toConnection<ReviewEntity>([], limit, 0, cursorOf));
        const { sql, params } = reviewPageQuery(owner, valid, limit + 1, admin, cursor);
        const rows: Array<Record<string, unknown>> = await ctx.em.query(sql, params);
        const reviews = rows.map(toReview);
        const totals = await totalsOf(ctx, owner, valid, admin);
        const groups = groupByKey(ids, reviews, (r) => r[OWNER_KEY[owner]]);
        return ids.map((id, i) => toConnection(groups[i]!, limit, totals.get(id) ?? 0, cursorOf));
      }),
  );
}

/**
 * Reviews per owner over all pages. A product's visible total is its aggregate's count (kept
 * exact in every write transaction, and usually already loaded for `rating`); other totals
 * are one grouped count.
 */
async function totalsOf(ctx: ReviewsContext, owner: ReviewListOwner, ids: string[], admin: boolean): Promise<Map<string, number>> {
  if (owner === 'product' && !admin) {
    const ratings = await ratingByProduct(ctx).loadMany(ids);
    return new Map(
      ratings.map((r, i) => {
        if (r instanceof Error) throw r;
        return [ids[i]!, r.count];
      }),
    );
  }
  const col = OWNER_COLUMN[owner];
  const rows: Array<{ owner: string; n: number }> = await ctx.em.query(
    `SELECT r.${col} AS owner, count(*)::int AS n FROM review r
      WHERE r.${col} = ANY($1::uuid[]) ${admin ? '' : `AND r.status = 'VISIBLE'`} GROUP BY r.${col}`,
    [ids],
  );
  return new Map(rows.map((r) => [r.owner, r.n]));
}
