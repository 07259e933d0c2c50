import { CatalogInit1764100000000 } from './1764100000000-init';
import { CatalogVariantRemoval1766100000000 } from './1766100000000-variant-removal';

/** Catalog's migrations, oldest first. Never edit one that has shipped: add a new one. */
export const catalogMigrations = [CatalogInit1764100000000, CatalogVariantRemoval1766100000000];
