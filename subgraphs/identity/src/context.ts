import type { BaseContext } from '@fashionistar/shared';
import type { IdentityConfig } from './config';
import type { KeyStore } from './services/key-store';

/** Long-lived things the identity services need, built once per process. */
export interface IdentityDeps {
  config: IdentityConfig;
  keys: KeyStore;
}

export interface IdentityContext extends BaseContext {
  deps: IdentityDeps;
  /** Users who proved who they are during this request (sign-in, sign-up, refresh). */
  signedInNow: Set<string>;
}

export const buildIdentityContext = (base: BaseContext, deps: IdentityDeps): IdentityContext => ({ ...base, deps, signedInNow: new Set() });

/** The name this subgraph uses for its schema, event source and message outbox. */
export const SOURCE = 'identity';
