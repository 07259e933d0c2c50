import { money, pageSize } from '@fashionistar/shared';
import type { Resolvers } from '../__generated__/resolvers-types';
import {
  brandById,
  categoryById,
  faqsByProduct,
  imagesByProduct,
  productById,
  specsByProduct,
  variantsByProduct,
} from '../loaders/product.loaders';
import { canManage } from '../services/access.service';
import { canSee } from '../services/product.service';
import { listProducts } from '../services/search.service';
import { emptyPage, storeFirstPage } from '../services/showcase.service';

export const productResolvers: Resolvers = {
  Product: {
    __resolveReference: async (ref, ctx) => {
      const p = await productById(ctx).load(ref.id);
      return p && (await canSee(ctx, p)) ? p : null;
    },
    vendor: (p) => ({ id: p.vendorId }),
    price: (p) => money(p.priceKobo),
    oldPrice: (p) => (p.oldPriceKobo === null ? null : money(p.oldPriceKobo)),
    shippingAmount: (p) => money(p.shippingKobo),
    inStock: async (p, _a, ctx) => p.stock > 0 || (await variantsByProduct(ctx).load(p.id)).some((v) => v.stock > 0),
    moderationReason: async (p, _a, ctx) => (p.moderationReason && (await canManage(ctx, p.vendorId)) ? p.moderationReason : null),
    viewCount: (p) => Number(p.viewCount),
    category: (p, _a, ctx) => (p.categoryId ? categoryById(ctx).load(p.categoryId) : null),
    brand: (p, _a, ctx) => (p.brandId ? brandById(ctx).load(p.brandId) : null),
    variants: (p, _a, ctx) => variantsByProduct(ctx).load(p.id),
    // Every image is loaded (a gallery holds at most 30) and cut here, so a list stays one statement.
    images: async (p, { first }, ctx) => {
      const limit = first == null ? null : pageSize(first, 30);
      const images = await imagesByProduct(ctx).load(p.id);
      return limit === null ? images : images.slice(0, limit);
    },
    specifications: (p, _a, ctx) => specsByProduct(ctx).load(p.id),
    faqs: (p, _a, ctx) => faqsByProduct(ctx).load(p.id),
  },
  ProductVariant: {
    price: async (v, _a, ctx) => {
      const p = await productById(ctx).load(v.productId);
      return money(BigInt(p!.priceKobo) + BigInt(v.priceDeltaKobo));
    },
    priceDelta: (v) => money(v.priceDeltaKobo),
  },
  ProductConnection: {
    totalCount: (page) => page.totalCount(),
    facets: (page) => page.facets ?? null,
    searchCorrection: (page) => page.searchCorrection ?? null,
  },
  Vendor: {
    __resolveReference: (ref) => ({ id: ref.id }),
    products: async (vendor, { first, after, status }, ctx) => {
      // Members and admins see every status of their store; the public its visible products only.
      if (await canManage(ctx, vendor.id))
        return listProducts(ctx, { first, after, sort: 'NEWEST' }, { kind: 'store', vendorId: vendor.id, status });
      if (status && status !== 'PUBLISHED') return emptyPage();
      if (after) return listProducts(ctx, { first, after, filter: { vendorId: vendor.id }, sort: 'NEWEST' });
      return storeFirstPage(ctx, vendor.id, first);
    },
  },
};
