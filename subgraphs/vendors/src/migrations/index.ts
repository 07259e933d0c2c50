import { VendorsInit1764100000000 } from './1764100000000-init';

/** Vendors' migrations, oldest first. Never edit one that has shipped: add a new one. */
export const vendorsMigrations = [VendorsInit1764100000000];
