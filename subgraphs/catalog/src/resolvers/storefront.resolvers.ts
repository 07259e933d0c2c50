import type { Resolvers } from '../__generated__/resolvers-types';
import { brandById, childrenByCategory, categoryById, depthByCategory } from '../loaders/product.loaders';
import { findProduct, productOwners } from '../services/product.service';
import { storefrontProducts } from '../services/search.service';
import { collectionProducts, homepage } from '../services/showcase.service';
import { findBrand, findCategory, findCollection, listBrands, listCategories, listCollections } from '../services/taxonomy.service';

export const storefrontResolvers: Resolvers = {
  Query: {
    products: (_p, args, ctx) => storefrontProducts(ctx, args),
    product: (_p, { id, slug }, ctx) => findProduct(ctx, { id, slug }),
    categories: (_p, _a, ctx) => listCategories(ctx),
    category: (_p, { slug }, ctx) => findCategory(ctx, slug),
    brands: (_p, _a, ctx) => listBrands(ctx),
    brand: (_p, { slug }, ctx) => findBrand(ctx, slug),
    collections: (_p, _a, ctx) => listCollections(ctx),
    collection: (_p, { slug }, ctx) => findCollection(ctx, slug),
    homepage: (_p, _a, ctx) => homepage(ctx),
    productOwners: (_p, { ids }, ctx) => productOwners(ctx, ids),
  },
  Category: {
    parent: (c, _a, ctx) => (c.parentId ? categoryById(ctx).load(c.parentId) : null),
    children: (c, _a, ctx) => childrenByCategory(ctx).load(c.id),
    // The tree query fills depth; a category loaded on its own (a product's, a lookup, a facet) asks the loader.
    depth: (c, _a, ctx) => c.depth ?? depthByCategory(ctx).load(c.id),
  },
  ProductFacets: {
    sizes: (f) => f.load('sizes'),
    colours: (f) => f.load('colours'),
    brands: (f) => f.load('brands'),
    categories: (f) => f.load('categories'),
    priceRange: (f) => f.load('priceRange'),
  },
  BrandFacet: {
    brand: async (b, _a, ctx) => (await brandById(ctx).load(b.brandId))!,
  },
  CategoryFacet: {
    category: async (c, _a, ctx) => (await categoryById(ctx).load(c.categoryId))!,
  },
  Collection: {
    products: (c, { first, after }, ctx) => collectionProducts(ctx, c.id, first, after),
  },
};
