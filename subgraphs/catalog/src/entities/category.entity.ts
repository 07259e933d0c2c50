import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity('category')
export class CategoryEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { nullable: true })
  parentId!: string | null;

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

  /** Not a column: filled by the tree query (0 for top level). */
  depth?: number;
}
