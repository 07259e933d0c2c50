import { randomUUID } from 'node:crypto';
import {
  BadUserInputError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  inTransaction,
  isUuid,
  optionalText,
  requireRole,
  requireText,
  requireUser,
  uniqueViolation,
  validateAll,
} from '@fashionistar/shared';
import type { ReviewsContext } from '../context';
import { REVIEW_COLUMNS, toReview, type ReviewEntity } from '../entities/review.entity';
import { reviewById, seesHidden } from '../loaders/review.loaders';
import { productOwner, storeAccess } from './peers.service';
import { applyRatingChange } from './rating.service';

/** A user as this subgraph knows it: only its id (identity owns the rest). */
export interface UserRef {
  id: string;
}

/** A store as this subgraph knows it: only its id (vendors owns the rest). */
export interface VendorRef {
  id: string;
}

export const TITLE_MAX = 120;
export const BODY_MAX = 5000;

/** Hidden reviews exist only for admins and their own author; to anyone else they are NOT_FOUND. */
export function canSee(ctx: ReviewsContext, review: ReviewEntity): boolean {
  return review.status === 'VISIBLE' || seesHidden(ctx) || review.authorId === ctx.identity?.userId;
}

/** A review the caller may see, or null. */
export async function findReview(ctx: ReviewsContext, id: string): Promise<ReviewEntity | null> {
  const review = await reviewById(ctx).load(id);
  return review && canSee(ctx, review) ? review : null;
}

/** Locks a review the caller may see for the rest of the transaction (NOT_FOUND otherwise). */
export async function lockReview(tx: ReviewsContext, id: string): Promise<ReviewEntity> {
  const rows: Array<Record<string, unknown>> = isUuid(id)
    ? await tx.em.query(`SELECT ${REVIEW_COLUMNS} FROM review r WHERE r.id = $1 FOR UPDATE`, [id])
    : [];
  const review = rows[0] ? toReview(rows[0]) : null;
  if (!review || !canSee(tx, review)) throw new NotFoundError('Review', id);
  return review;
}

/** Runs an `UPDATE review r SET <set> WHERE r.id = $1` and answers the updated row. */
export async function updateReviewRow(tx: ReviewsContext, id: string, set: string, params: unknown[]): Promise<ReviewEntity> {
  const [rows]: [Array<Record<string, unknown>>, number] = await tx.em.query(
    `UPDATE review r SET ${set} WHERE r.id = $1 RETURNING ${REVIEW_COLUMNS}`,
    [id, ...params],
  );
  if (!rows[0]) throw new NotFoundError('Review', id);
  return toReview(rows[0]);
}

function validRating(rating: number): number {
  if (!Number.isInteger(rating) || rating < 1 || rating > 5)
    throw new BadUserInputError('rating must be a whole number from 1 to 5.', 'rating');
  return rating;
}

/** A title to set: 1..TITLE_MAX characters after trimming (removing one is `title: null`). */
function validTitle(raw: string): string {
  const title = optionalText(raw, 'title', TITLE_MAX);
  if (title === null) throw new BadUserInputError('title cannot be empty: send null to remove it.', 'title');
  return title;
}

export interface AddReviewArgs {
  productId: string;
  rating: number;
  title?: string | null;
  body: string;
}

/**
 * Adds the caller's review of a published product, unless they are a member of the store selling
 * it (FORBIDDEN). One per customer and product, enforced by the
 * unique constraint (two concurrent adds cannot both pass an `if`); the review and its product's
 * aggregate are written in one transaction, so a refused review leaves nothing behind.
 */
export async function addReview(ctx: ReviewsContext, input: AddReviewArgs): Promise<ReviewEntity> {
  const { userId } = requireRole(ctx, 'CUSTOMER');
  const { rating, body, title } = validateAll((p) => ({
    rating: p.check('input.rating', () => validRating(input.rating))!,
    body: p.check('input.body', () => requireText(input.body, 'body', BODY_MAX))!,
    // Optional on a new review: blank means none.
    title: p.check('input.title', () => optionalText(input.title, 'title', TITLE_MAX)) ?? null,
  }));
  const owner = isUuid(input.productId) ? await productOwner(ctx, input.productId) : null;
  if (!owner || owner.status !== 'PUBLISHED' || !owner.visible)
    throw new BadUserInputError('Only products on sale can be reviewed.', 'input.productId');
  // A store's own people (OWNER or STAFF, whatever roles their account also holds) do not rate
  // its products: vendors answers membership as of now, asked with the caller's identity.
  const access = await storeAccess(ctx, owner.vendorId);
  if (access?.memberRole) throw new ForbiddenError("You cannot review your own store's products.");
  try {
    return await inTransaction(ctx, async (tx) => {
      const rows: Array<Record<string, unknown>> = await tx.em.query(
        `INSERT INTO review AS r (id, product_id, author_id, vendor_id, rating, title, body)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${REVIEW_COLUMNS}`,
        [randomUUID(), input.productId, userId, owner.vendorId, rating, title, body],
      );
      await applyRatingChange(tx, input.productId, { add: rating });
      return toReview(rows[0]!);
    });
  } catch (error) {
    if (uniqueViolation(error) === 'review_product_author_key') {
      throw new ConflictError('You have already reviewed this product; change your review instead.', 'input.productId');
    }
    throw error;
  }
}

export interface UpdateReviewArgs {
  rating?: number | null;
  title?: string | null;
  body?: string | null;
}

/**
 * Changes the caller's own review; the aggregate moves only when a visible review's stars change.
 * The update convention: a field left out (undefined) stays; `title: null` removes the title;
 * `rating: null` and `body: null` are BAD_USER_INPUT (a review always has both). Every problem is
 * reported at once, under `input.<field>`.
 */
export async function updateReview(ctx: ReviewsContext, id: string, input: UpdateReviewArgs): Promise<ReviewEntity> {
  const { userId } = requireUser(ctx);
  const patch = validateAll((p) => {
    const out: { rating?: number; body?: string; title?: string | null } = {};
    const { rating, body, title } = input;
    if (rating === null) p.add('input.rating', 'A review always has a rating: rating cannot be null.');
    else if (rating !== undefined) out.rating = p.check('input.rating', () => validRating(rating));
    if (body === null) p.add('input.body', 'A review always has a body: body cannot be null.');
    else if (body !== undefined) out.body = p.check('input.body', () => requireText(body, 'body', BODY_MAX));
    if (title === null) out.title = null;
    else if (title !== undefined) out.title = p.check('input.title', () => validTitle(title));
    return out;
  });
  return inTransaction(ctx, async (tx) => {
    const current = await lockReview(tx, id);
    if (current.authorId !== userId) throw new ForbiddenError('Only its author can change a review.');
    const next = {
      rating: patch.rating ?? current.rating,
      body: patch.body ?? current.body,
      title: patch.title === undefined ? current.title : patch.title,
    };
    const updated = await updateReviewRow(tx, id, `rating = $2, title = $3, body = $4, updated_at = now()`, [
      next.rating,
      next.title,
      next.body,
    ]);
    if (current.status === 'VISIBLE' && next.rating !== current.rating) {
      await applyRatingChange(tx, current.productId, { remove: current.rating, add: next.rating });
    }
    return updated;
  });
}

/**
 * Deletes a review and its votes (by cascade): its author or an admin. A HIDDEN review is an
 * admin's decision, so only an admin may delete it: its author deleting it could write it again,
 * visible (one review per product holds only while the hidden one exists).
 */
export async function deleteReview(ctx: ReviewsContext, id: string): Promise<boolean> {
  const { userId } = requireUser(ctx);
  return inTransaction(ctx, async (tx) => {
    const current = await lockReview(tx, id);
    const admin = seesHidden(tx);
    if (current.authorId !== userId && !admin) throw new ForbiddenError('Only its author or an admin can delete a review.');
    if (current.status === 'HIDDEN' && !admin) throw new ForbiddenError('A review hidden by a moderator can only be deleted by an admin.');
    await tx.em.query(`DELETE FROM review WHERE id = $1`, [id]);
    if (current.status === 'VISIBLE') await applyRatingChange(tx, current.productId, { remove: current.rating });
    return true;
  });
}

/** Hides a review from the public and takes it out of the aggregate (ADMIN). Hiding again only updates the reason. */
export async function hideReview(ctx: ReviewsContext, id: string, reason: string): Promise<ReviewEntity> {
  const admin = requireRole(ctx, 'ADMIN');
  const why = requireText(reason, 'reason', 500);
  return inTransaction(ctx, async (tx) => {
    const current = await lockReview(tx, id);
    const updated = await updateReviewRow(tx, id, `status = 'HIDDEN', hidden_reason = $2, hidden_by = $3`, [why, admin.userId]);
    if (current.status === 'VISIBLE') await applyRatingChange(tx, current.productId, { remove: current.rating });
    return updated;
  });
}

/** Shows a hidden review again and counts it in the aggregate (ADMIN). A visible review is left as is. */
export async function unhideReview(ctx: ReviewsContext, id: string): Promise<ReviewEntity> {
  requireRole(ctx, 'ADMIN');
  return inTransaction(ctx, async (tx) => {
    const current = await lockReview(tx, id);
    if (current.status === 'VISIBLE') return current;
    const updated = await updateReviewRow(tx, id, `status = 'VISIBLE', hidden_reason = NULL, hidden_by = NULL`, []);
    await applyRatingChange(tx, current.productId, { add: current.rating });
    return updated;
  });
}
