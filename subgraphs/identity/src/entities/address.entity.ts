import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

@Entity('address')
export class AddressEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid')
  userId!: string;

  @Column('text')
  fullName!: string;

  @Column('text')
  phone!: string;

  @Column('text')
  line1!: string;

  @Column('text', { nullable: true })
  line2!: string | null;

  @Column('text')
  city!: string;

  @Column('text')
  state!: string;

  @Column('text')
  country!: string;

  @Column('text', { nullable: true })
  postalCode!: string | null;

  @Column('boolean')
  isDefault!: boolean;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
