import { ReviewsInit1764400000000 } from './1764400000000-init';
import { ReviewInbox1766200000000 } from './1766200000000-review-inbox';

/** Reviews' migrations, oldest first. Never edit one that has shipped: add a new one. */
export const reviewsMigrations = [ReviewsInit1764400000000, ReviewInbox1766200000000];
