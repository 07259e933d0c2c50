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
import { variantWithRemovedById } from '../loaders/ledger.loaders';
import { canManage } from '../services/access.service';
import { canSee } from '../services/product.service';
import { storeProducts } from '../services/dashboard.service';
import { stockMovements } from '../services/ledger.service';

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
    totalStock: async (p, _a, ctx) => (await variantsByProduct(ctx).load(p.id)).reduce((sum, v) => sum + v.stock, p.stock),
    stockMovements: (p, args, ctx) => stockMovements(ctx, p, args),
  },
  StockMovement: {
    variant: (m, _a, ctx) => (m.variantId ? variantWithRemovedById(ctx).load(m.variantId) : null),
    actor: (m) => (m.actorId ? { id: m.actorId } : null),
  },
  StockMovementConnection: {
    totalCount: (page) => page.totalCount(),
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
    products: (vendor, args, ctx) => storeProducts(ctx, vendor.id, args),
  },
};
