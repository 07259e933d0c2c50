import type { Resolvers } from '../__generated__/resolvers-types';
import { myVoteByReview, seesHidden } from '../loaders/review.loaders';
import { replyToReview, voteReview } from '../services/feedback.service';
import { addReview, deleteReview, findReview, hideReview, unhideReview, updateReview } from '../services/review.service';

export const reviewResolvers: Resolvers = {
  Query: {
    review: (_p, { id }, ctx) => findReview(ctx, id),
  },
  Mutation: {
    addReview: (_p, { input }, ctx) => addReview(ctx, input),
    updateReview: (_p, { id, input }, ctx) => updateReview(ctx, id, input),
    deleteReview: (_p, { id }, ctx) => deleteReview(ctx, id),
    voteReview: (_p, { id, helpful }, ctx) => voteReview(ctx, id, helpful),
    replyToReview: (_p, { id, body }, ctx) => replyToReview(ctx, id, body),
    hideReview: (_p, { id, reason }, ctx) => hideReview(ctx, id, reason),
    unhideReview: (_p, { id }, ctx) => unhideReview(ctx, id),
  },
  Review: {
    __resolveReference: (ref, ctx) => findReview(ctx, ref.id),
    product: (r) => ({ id: r.productId }),
    author: (r) => ({ id: r.authorId }),
    reply: (r) => (r.replyBody !== null && r.repliedAt !== null ? { body: r.replyBody, createdAt: r.repliedAt } : null),
    myVote: (r, _a, ctx) => (ctx.identity ? myVoteByReview(ctx, ctx.identity.userId).load(r.id) : null),
    hiddenReason: (r, _a, ctx) => (seesHidden(ctx) ? r.hiddenReason : null),
  },
};
