import type { Resolvers } from '../__generated__/resolvers-types';
import {
  addImage,
  addVariant,
  adjustStock,
  removeImage,
  removeVariant,
  updateImage,
  reorderImages,
  updateVariant,
} from '../services/inventory.service';
import {
  archiveProduct,
  createProduct,
  moderateProduct,
  publishProduct,
  recordView,
  setFlags,
  updateProduct,
} from '../services/product.service';
import {
  createBrand,
  createCategory,
  createCollection,
  setCollectionProducts,
  updateBrand,
  updateCategory,
  updateCollection,
} from '../services/taxonomy.service';

export const manageResolvers: Resolvers = {
  Mutation: {
    createProduct: (_p, { input }, ctx) => createProduct(ctx, input),
    updateProduct: (_p, { id, input }, ctx) => updateProduct(ctx, id, input),
    publishProduct: (_p, { id }, ctx) => publishProduct(ctx, id),
    archiveProduct: (_p, { id }, ctx) => archiveProduct(ctx, id),
    addVariant: (_p, { productId, input }, ctx) => addVariant(ctx, productId, input),
    updateVariant: (_p, { id, input }, ctx) => updateVariant(ctx, id, input),
    removeVariant: (_p, { id }, ctx) => removeVariant(ctx, id),
    addProductImage: (_p, { productId, input }, ctx) => addImage(ctx, productId, input),
    updateProductImage: (_p, { id, input }, ctx) => updateImage(ctx, id, input),
    removeProductImage: (_p, { id }, ctx) => removeImage(ctx, id),
    reorderProductImages: (_p, { productId, imageIds }, ctx) => reorderImages(ctx, productId, imageIds),
    adjustStock: (_p, { input }, ctx) => adjustStock(ctx, input),
    recordProductView: (_p, { id }, ctx) => recordView(ctx, id),
    moderateProduct: (_p, { id, action, reason }, ctx) => moderateProduct(ctx, id, action, reason),
    setProductFlags: (_p, { id, ...flags }, ctx) => setFlags(ctx, id, flags),
    createCategory: (_p, { input }, ctx) => createCategory(ctx, input),
    createBrand: (_p, { input }, ctx) => createBrand(ctx, input),
    createCollection: (_p, { input }, ctx) => createCollection(ctx, input),
    updateCategory: (_p, { id, input }, ctx) => updateCategory(ctx, id, input),
    updateBrand: (_p, { id, input }, ctx) => updateBrand(ctx, id, input),
    updateCollection: (_p, { id, input }, ctx) => updateCollection(ctx, id, input),
    setCollectionProducts: (_p, { collectionId, productIds }, ctx) => setCollectionProducts(ctx, collectionId, productIds),
  },
};
