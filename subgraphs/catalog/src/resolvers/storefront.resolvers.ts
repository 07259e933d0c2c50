import type { Resolvers } from '../__generated__/resolvers-types';
import { childrenByCategory, categoryById } from '../loaders/product.loaders';
import { findProduct, productOwners } from '../services/product.service';
import { listProducts } from '../services/search.service';
import { collectionProducts, homepage } from '../services/showcase.service';
import { findCollection, listBrands, listCategories, listCollections } from '../services/taxonomy.service';

export const storefrontResolvers: Resolvers = {
  Query: {
    products: (_p, args, ctx) => listProducts(ctx, args),
    product: (_p, { id, slug }, ctx) => findProduct(ctx, { id, slug }),
    categories: (_p, _a, ctx) => listCategories(ctx),
    brands: (_p, _a, ctx) => listBrands(ctx),
    collections: (_p, _a, ctx) => listCollections(ctx),
    collection: (_p, { slug }, ctx) => findCollection(ctx, slug),
    homepage: (_p, _a, ctx) => homepage(ctx),
    productOwners: (_p, { ids }, ctx) => productOwners(ctx, ids),
  },
  Category: {
    parent: (c, _a, ctx) => (c.parentId ? categoryById(ctx).load(c.parentId) : null),
    children: (c, _a, ctx) => childrenByCategory(ctx).load(c.id),
    depth: (c) => c.depth ?? 0,
  },
  Collection: {
    products: (c, { first, after }, ctx) => collectionProducts(ctx, c.id, first, after),
  },
};
