import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity('collection')
export class CollectionEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('text')
  slug!: string;

  @Column('text')
  name!: string;

  @Column('text', { nullable: true })
  description!: string | null;

  @Column('text', { nullable: true })
  imageUrl!: string | null;

  @Column('integer')
  position!: number;

  @Column('boolean')
  active!: boolean;
}
