import type { BaseContext, InternalClient } from '@fashionistar/shared';
import type { CatalogConfig } from './config';

/** Long-lived things the catalog services need, built once per process. */
export interface CatalogDeps {
  config: CatalogConfig;
  /** Calls to the vendors subgraph (store membership and status, at write time). */
  internal: InternalClient;
}

export interface CatalogContext extends BaseContext {
  deps: CatalogDeps;
}

export const buildCatalogContext = (base: BaseContext, deps: CatalogDeps): CatalogContext => ({ ...base, deps });

/** The name this subgraph uses for its schema and event source. */
export const SOURCE = 'catalog';
