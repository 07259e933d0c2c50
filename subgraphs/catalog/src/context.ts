import { LoaderRegistry, type BaseContext, type InternalClient } from '@fashionistar/shared';
import type { CatalogConfig } from './config';

export interface CatalogDeps {
  config: CatalogConfig;
  /** Calls to the vendors subgraph (store membership and status, at write time). */
  internal: InternalClient;
}

export interface CatalogContext extends BaseContext {
  loaders: LoaderRegistry;
  deps: CatalogDeps;
}

export const buildCatalogContext =
  (deps: CatalogDeps) =>
  (base: BaseContext): CatalogContext => ({ ...base, loaders: new LoaderRegistry(), deps });

export const SOURCE = 'catalog';
