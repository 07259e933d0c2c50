import { BrandEntity } from './brand.entity';
import { CategoryEntity } from './category.entity';
import { CollectionEntity } from './collection.entity';
import { FaqEntity, SpecificationEntity, StockMovementEntity } from './detail.entity';
import { ImageEntity } from './image.entity';
import { ProductEntity } from './product.entity';
import { VariantEntity } from './variant.entity';

export const catalogEntities = [
  ProductEntity,
  VariantEntity,
  ImageEntity,
  SpecificationEntity,
  FaqEntity,
  StockMovementEntity,
  CategoryEntity,
  BrandEntity,
  CollectionEntity,
];
