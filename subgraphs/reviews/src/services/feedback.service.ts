import { ForbiddenError, NotFoundError, hasRole, inTransaction, requireText, requireUser } from '@fashionistar/shared';
import type { ReviewsContext } from '../context';
import type { ReviewEntity } from '../entities/review.entity';
import { productOwner, storeAccess } from './peers.service';
import { findReview, lockReview, updateReviewRow } from './review.service';

/**
 * Records the caller's vote. The review row is locked first, so votes on one review queue up and
 * the previous vote read here is the one the counts include: a changed vote moves one count from
 * one side to the other, a repeated vote changes nothing.
 */
export async function voteReview(ctx: ReviewsContext, id: string, helpful: boolean): Promise<ReviewEntity> {
  const { userId } = requireUser(ctx);
  return inTransaction(ctx, async (tx) => {
    const review = await lockReview(tx, id);
    if (review.status !== 'VISIBLE') throw new NotFoundError('Review', id);
    if (review.authorId === userId) throw new ForbiddenError('You cannot vote on your own review.');
    const prev: Array<{ helpful: boolean }> = await tx.em.query(`SELECT helpful FROM review_vote WHERE review_id = $1 AND user_id = $2`, [
      id,
      userId,
    ]);
    const before = prev[0]?.helpful ?? null;
    if (before === helpful) return review;
    await tx.em.query(
      `INSERT INTO review_vote (review_id, user_id, helpful) VALUES ($1, $2, $3)
       ON CONFLICT (review_id, user_id) DO UPDATE SET helpful = EXCLUDED.helpful`,
      [id, userId, helpful],
    );
    const up = (side: boolean) => (helpful === side ? 1 : 0) - (before === side ? 1 : 0);
    return updateReviewRow(tx, id, `helpful_count = helpful_count + $2, not_helpful_count = not_helpful_count + $3`, [up(true), up(false)]);
  });
}

/**
 * Writes the store's reply. The store is whoever sells the product now (catalog) and the caller
 * must be a member of it now (vendors, asked with the caller's identity); both questions are
 * asked before the write, never while a row is locked.
 */
export async function replyToReview(ctx: ReviewsContext, id: string, body: string): Promise<ReviewEntity> {
  const { userId } = requireUser(ctx);
  const text = requireText(body, 'body', 2000);
  const review = await findReview(ctx, id);
  if (!review || review.status !== 'VISIBLE') throw new NotFoundError('Review', id);
  if (!hasRole(ctx, 'ADMIN')) {
    const owner = await productOwner(ctx, review.productId);
    const access = owner ? await storeAccess(ctx, owner.vendorId) : null;
    if (!access?.permissions.includes('REPLY_TO_REVIEWS'))
      throw new ForbiddenError('Only the store selling this product can reply to its reviews.');
  }
  return inTransaction(ctx, async (tx) => {
    await lockReview(tx, id);
    return updateReviewRow(tx, id, `reply_body = $2, reply_author_id = $3, replied_at = now()`, [text, userId]);
  });
}
