import { Init1764100000000 } from './1764100000000-init';

/** Catalog's migrations, oldest first. Never edit one that has shipped: add a new one. */
export const catalogMigrations = [Init1764100000000];
