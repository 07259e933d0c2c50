import { VendorsInit1764100000000 } from './1764100000000-init';
import { StoreInvitations1766000000000 } from './1766000000000-store-invitations';
import { ClosedStores1766100000000 } from './1766100000000-closed-stores';

/** Vendors' migrations, oldest first. Never edit one that has shipped: add a new one. */
export const vendorsMigrations = [VendorsInit1764100000000, StoreInvitations1766000000000, ClosedStores1766100000000];
