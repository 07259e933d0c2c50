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
  validateAll,
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
export type ReviewListOwner = 'product' | 'author' | 'vendor';
const OWNER_COLUMN: Record<ReviewListOwner, string> = { product: 'product_id', author: 'author_id', vendor: 'vendor_id' };
const OWNER_KEY: Record<ReviewListOwner, 'productId' | 'authorId' | 'vendorId'> = {
  product: 'productId',
  author: 'authorId',
  vendor: 'vendorId',
};

/** The orders of a review list (the SDL enum `ReviewSort`). */
export const REVIEW_SORTS = ['NEWEST', 'MOST_HELPFUL', 'HIGHEST', 'LOWEST'] as const;
export type ReviewSort = (typeof REVIEW_SORTS)[number];

/**
 * The sort key of a review (before created_at DESC, id DESC), every sort descending on it; none
 * for NEWEST. LOWEST sorts on -rating so its cursor compares like the others (see review_page).
 */
const SORT_KEY: Record<ReviewSort, ((r: ReviewEntity) => number) | null> = {
  NEWEST: null,
  MOST_HELPFUL: (r) => r.helpfulCount,
  HIGHEST: (r) => r.rating,
  LOWEST: (r) => -r.rating,
};

/** The ORDER BY prefix of each sort over a page's rows (alias `r`), matching SORT_KEY. */
const SORT_ORDER_SQL: Record<ReviewSort, string> = {
  NEWEST: '',
  MOST_HELPFUL: 'r.helpful_count DESC, ',
  HIGHEST: 'r.rating DESC, ',
  LOWEST: 'r.rating ASC, ',
};

/** Where a page starts: just after this review (null: at the top); `key` is the sort key (not for NEWEST). */
export type PageCursor = { key: number | null; createdAt: string; id: string } | null;

/**
 * A cursor: `[createdAt, id]` for NEWEST (as before sorts existed, so such cursors stay valid),
 * `[sort, key, createdAt, id]` for the others, so a cursor of one sort is refused by another.
 */
const cursorOf =
  (sort: ReviewSort) =>
  (r: ReviewEntity): string => {
    const key = SORT_KEY[sort];
    return key ? encodeCursor([sort, key(r), r.createdAt.toISOString(), r.id]) : encodeCursor([r.createdAt.toISOString(), r.id]);
  };

/** True for the exact text `Date.prototype.toISOString` writes for a real instant (no 30 February). */
function isIsoInstant(key: unknown): key is string {
  if (typeof key !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(key)) return false;
  const at = new Date(key);
  return !Number.isNaN(at.getTime()) && at.toISOString() === key;
}

/**
 * A cursor's position for `sort`. Only values this subgraph could have written pass: anything
 * else would reach Postgres as a cast error (an internal error) or page from a made-up position.
 */
function parseCursor(after: string, sort: ReviewSort): NonNullable<PageCursor> {
  const invalid = () => new BadUserInputError('This cursor is not valid here.', 'after');
  if (sort === 'NEWEST') {
    const [createdAt, id] = decodeCursor(after, 2);
    if (!isIsoInstant(createdAt) || typeof id !== 'string' || !isUuid(id)) throw invalid();
    return { key: null, createdAt, id };
  }
  const [tag, key, createdAt, id] = decodeCursor(after, 4);
  if (tag !== sort || typeof key !== 'number' || !Number.isSafeInteger(key) || Math.abs(key) > 2 ** 31 - 1) throw invalid();
  if (!isIsoInstant(createdAt) || typeof id !== 'string' || !isUuid(id)) throw invalid();
  return { key, createdAt, id };
}

/** What narrows and orders a review list. */
export interface ReviewListArgs extends PageArgs {
  /** Default NEWEST. */
  sort?: ReviewSort | null;
  /** Only reviews with this many stars (1..5). */
  rating?: number | null;
  /** Only reviews without the store's reply (the inbox). */
  unreplied?: boolean | null;
}

/** A list's page size and filters, validated (every problem at once, paths relative to the field's arguments). */
interface ListQuery {
  limit: number;
  sort: ReviewSort;
  rating: number | null;
  unreplied: boolean;
  cursor: PageCursor;
}

/**
 * The order a list really uses. Under a star filter every review has the same stars, so HIGHEST
 * and LOWEST are NEWEST (and take its cursors), which the star index serves from the cursor on.
 */
export function effectiveSort(sort: ReviewSort, rating: number | null | undefined): ReviewSort {
  return rating != null && (sort === 'HIGHEST' || sort === 'LOWEST') ? 'NEWEST' : sort;
}

function listQuery(args: ReviewListArgs): ListQuery {
  return validateAll((p) => {
    const limit = p.check('first', () => pageSize(args.first, 50, 10)) ?? 10;
    const rating = p.check('rating', () => validRatingFilter(args.rating)) ?? null;
    const sort = effectiveSort(args.sort ?? 'NEWEST', rating);
    const cursor = args.after ? (p.check('after', () => parseCursor(args.after!, sort)) ?? null) : null;
    return { limit, sort, rating, unreplied: args.unreplied === true, cursor };
  });
}

function validRatingFilter(rating: number | null | undefined): number | null {
  if (rating === null || rating === undefined) return null;
  if (!Number.isInteger(rating) || rating < 1 || rating > 5)
    throw new BadUserInputError('rating must be a whole number from 1 to 5.', 'rating');
  return rating;
}

/**
 * The one statement behind a page of reviews for many owners: for each owner, in input order,
 * its first `limit` reviews in the list's order after the cursor. The LATERAL join calls
 * review_page (migration ReviewInbox1766200000000), which plans each owner's page with its real
 * values and walks the index of the sort from the cursor, stopping after `limit` rows: a product
 * with thousands of reviews costs what one with three does. Exported for the test that counts
 * rows read.
 */
export function reviewPageQuery(
  owner: ReviewListOwner,
  ids: string[],
  limit: number,
  admin: boolean,
  cursor: PageCursor,
  o: { sort?: ReviewSort; rating?: number | null; unreplied?: boolean } = {},
): { sql: string; params: unknown[] } {
  const sort = effectiveSort(o.sort ?? 'NEWEST', o.rating);
  return {
    sql: `SELECT ${REVIEW_COLUMNS}
      FROM unnest($1::uuid[]) WITH ORDINALITY AS o(id, ord)
      CROSS JOIN LATERAL review_page($2::text, o.id, $3::text, $4::integer, $5::boolean, $6::boolean,
                                     $7::integer, $8::timestamptz, $9::uuid, $10::integer) r
     ORDER BY o.ord, ${SORT_ORDER_SQL[sort]}r.created_at DESC, r.id DESC`,
    params: [
      ids,
      owner,
      sort,
      o.rating ?? null,
      o.unreplied ?? false,
      admin,
      cursor?.key ?? null,
      cursor?.createdAt ?? null,
      cursor?.id ?? null,
      limit,
    ],
  };
}

/**
 * A page of reviews for many products, authors or stores at once. One loader per distinct page
 * argument, so a list of 50 products asking `reviews(first: 3)` costs one statement for the rows
 * (reviewPageQuery: at most first + 1 rows read per owner) and at most one for the totals.
 * Invalid arguments answer BAD_USER_INPUT with every problem (`first`, `rating`, `after`).
 */
export function reviewPage(ctx: ReviewsContext, owner: ReviewListOwner, args: ReviewListArgs) {
  const q = listQuery(args);
  const admin = seesHidden(ctx);
  const cursorFor = cursorOf(q.sort);
  return ctx.loaders.get(
    `reviewPage:${owner}:${q.limit}:${q.sort}:${q.rating ?? ''}:${q.unreplied}:${args.after ?? ''}`,
    () =>
      new DataLoader<string, Connection<ReviewEntity>>(async (ids) => {
        const valid = [...new Set(ids.filter(isUuid))];
        if (!valid.length) return ids.map(() => toConnection<ReviewEntity>([], q.limit, 0, cursorFor));
        const { sql, params } = reviewPageQuery(owner, valid, q.limit + 1, admin, q.cursor, q);
        const rows: Array<Record<string, unknown>> = await ctx.em.query(sql, params);
        const reviews = rows.map(toReview);
        const totals = await totalsOf(ctx, owner, valid, admin, q);
        const groups = groupByKey(ids, reviews, (r) => r[OWNER_KEY[owner]]);
        return ids.map((id, i) => toConnection(groups[i]!, q.limit, totals.get(id) ?? 0, cursorFor));
      }),
  );
}

/**
 * Reviews per owner over all pages. A product's visible total is its aggregate's count, or the
 * count of its star bucket under a star filter (kept exact in every write transaction, and usually
 * already loaded for `rating`); other totals are one grouped count.
 */
async function totalsOf(
  ctx: ReviewsContext,
  owner: ReviewListOwner,
  ids: string[],
  admin: boolean,
  q: Pick<ListQuery, 'rating' | 'unreplied'>,
): Promise<Map<string, number>> {
  if (owner === 'product' && !admin && !q.unreplied) {
    const ratings = await ratingByProduct(ctx).loadMany(ids);
    return new Map(
      ratings.map((r, i) => {
        if (r instanceof Error) throw r;
        return [ids[i]!, q.rating ? r.stars[q.rating - 1]! : r.count];
      }),
    );
  }
  const col = OWNER_COLUMN[owner];
  const where = [`r.${col} = ANY($1::uuid[])`];
  if (!admin) where.push(`r.status = 'VISIBLE'`);
  if (q.rating) where.push(`r.rating = $2`);
  if (q.unreplied) where.push(`r.reply_body IS NULL`);
  const rows: Array<{ owner: string; n: number }> = await ctx.em.query(
    `SELECT r.${col} AS owner, count(*)::int AS n FROM review r WHERE ${where.join(' AND ')} GROUP BY r.${col}`,
    q.rating ? [ids, q.rating] : [ids],
  );
  return new Map(rows.map((r) => [r.owner, r.n]));
}
