import type { BaseContext, InternalClient } from '@fashionistar/shared';
import type { VendorsConfig } from './config';

/** Long-lived things the vendors services need, built once per process. */
export interface VendorsDeps {
  config: VendorsConfig;
  /** Calls to other subgraphs (identity: who has this e-mail, for invitations). */
  internal: InternalClient;
}

export interface VendorsContext extends BaseContext {
  deps: VendorsDeps;
}

export const buildVendorsContext = (base: BaseContext, deps: VendorsDeps): VendorsContext => ({ ...base, deps });

/** The name this subgraph uses for its schema and event source. */
export const SOURCE = 'vendors';
