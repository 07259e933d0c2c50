import { CatalogInit1764100000000 } from './1764100000000-init';
import { TrigramInExtensions1766000000000 } from './1766000000000-trigram-in-extensions';
import { CatalogVariantRemoval1766100000000 } from './1766100000000-variant-removal';
import { CatalogVariantOptionsUnique1766300000000 } from './1766300000000-variant-options-unique';

/** Catalog's migrations, oldest first. Never edit one that has shipped: add a new one. */
export const catalogMigrations = [
  CatalogInit1764100000000,
  TrigramInExtensions1766000000000,
  CatalogVariantRemoval1766100000000,
  CatalogVariantOptionsUnique1766300000000,
];
