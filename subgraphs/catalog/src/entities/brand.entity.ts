import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity('brand')
export class BrandEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('text')
  slug!: string;

  @Column('text')
  name!: string;

  @Column('text', { nullable: true })
  logoUrl!: string | null;

  @Column('text', { nullable: true })
  description!: string | null;
}
