import { defineEvent, defineInternalQuery } from './event';

/** Events, types and internal queries owned by the catalog subgraph. */

export type ProductStatus = 'DRAFT' | 'PUBLISHED' | 'ARCHIVED';
export type ModerationStatus = 'ACTIVE' | 'HIDDEN' | 'REJECTED';

type ProductRef = { productId: string; vendorId: string };

/** A product's status changed (its vendor published, unpublished or archived it). */
export const ProductDrafted = defineEvent<ProductRef>()('catalog.product.draft', 1);
export const ProductPublished = defineEvent<ProductRef>()('catalog.product.published', 1);
export const ProductArchived = defineEvent<ProductRef>()('catalog.product.archived', 1);

/** The contract of the event a move to `status` writes. */
export const PRODUCT_STATUS_EVENTS = {
  DRAFT: ProductDrafted,
  PUBLISHED: ProductPublished,
  ARCHIVED: ProductArchived,
} as const satisfies Record<ProductStatus, unknown>;

/** An admin hid, rejected or restored a product (`by` is the admin's user id). */
export const ProductModerated = defineEvent<ProductRef & { moderation: ModerationStatus; reason: string | null; by: string }>()(
  'catalog.product.moderated',
  1,
);

/** Who sells a product and whether shoppers may see it, for write-time decisions elsewhere. */
export interface ProductOwner {
  productId: string;
  vendorId: string;
  status: ProductStatus;
  /** False when an admin hid the product or its store is suspended. */
  visible: boolean;
}

export const ProductOwnersQuery = defineInternalQuery<{ ids: string[] }, { productOwners: ProductOwner[] }>(
  'catalog',
  'query ProductOwners($ids: [ID!]!) { productOwners(ids: $ids) { productId vendorId status visible } }',
);
