import { ProductRatingEntity } from './product-rating.entity';
import { ReviewVoteEntity } from './review-vote.entity';
import { ReviewEntity } from './review.entity';

export const reviewsEntities = [ReviewEntity, ReviewVoteEntity, ProductRatingEntity];
