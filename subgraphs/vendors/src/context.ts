import { LoaderRegistry, type BaseContext, type InternalClient } from '@fashionistar/shared';
import type { VendorsConfig } from './config';

/** Long-lived things the vendors services need, built once per process. */
export interface VendorsDeps {
  config: VendorsConfig;
  /** Calls to other subgraphs (identity: who has this e-mail, for invitations). */
  internal: InternalClient;
}

export interface VendorsContext extends BaseContext {
  loaders: LoaderRegistry;
  deps: VendorsDeps;
}

export function buildVendorsContext(deps: VendorsDeps) {
  return (base: BaseContext): VendorsContext => ({ ...base, loaders: new LoaderRegistry(), deps });
}

/** The name this subgraph uses for its schema and event source. */
export const SOURCE = 'vendors';
