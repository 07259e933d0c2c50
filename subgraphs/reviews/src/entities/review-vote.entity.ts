import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One user's vote on one review; the primary key is what makes it one. */
@Entity('review_vote')
export class ReviewVoteEntity {
  @PrimaryColumn('uuid')
  reviewId!: string;

  @PrimaryColumn('uuid')
  userId!: string;

  @Column('boolean')
  helpful!: boolean;

  @Column('timestamptz')
  createdAt!: Date;
}
