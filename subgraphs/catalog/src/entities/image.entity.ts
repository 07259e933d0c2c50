import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity('image')
export class ImageEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid')
  productId!: string;

  @Column('text')
  url!: string;

  @Column('text', { nullable: true })
  alt!: string | null;

  @Column('integer')
  position!: number;
}
