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

const cursorOf = (r: ReviewEntity): string => encodeCursor([r.createdAt.toISOString(), r.id]);

function parseCursor(after: string): { createdAt: string; id: string } {
  const [createdAt, id] = decodeCursor(after, 2);
  if (typeof createdAt !== 'string' || Number.isNaN(Date.parse(createdAt)) || typeof id !== 'string' || !isUuid(id)) {
    throw new BadUserInputError('This cursor is not valid here.', 'after');
  }
  return { createdAt, id };
}

/**
 * A page of reviews (newest first) for many products or authors at once. One loader per distinct
 * page argument, so a list of 50 products asking `reviews(first: 3)` costs one statement for the
 * rows (ROW_NUMBER per owner keeps the first N of each) and at most one for the totals.
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
        const col = OWNER_COLUMN[owner];
        const params: unknown[] = [valid, limit + 1];
        const where = [`r.${col} = ANY($1::uuid[])`];
        if (!admin) where.push(`r.status = 'VISIBLE'`);
        if (cursor) {
          params.push(cursor.createdAt, cursor.id);
          where.push(`(r.created_at, r.id) < ($3::timestamptz, $4::uuid)`);
        }
        const rows: Array<Record<string, unknown>> = await ctx.em.query(
          `SELECT * FROM (
             SELECT ${REVIEW_COLUMNS}, ROW_NUMBER() OVER (PARTITION BY r.${col} ORDER BY r.created_at DESC, r.id DESC) AS rn
               FROM review r WHERE ${where.join(' AND ')}
           ) t WHERE t.rn <= $2 ORDER BY t.rn`,
          params,
        );
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
