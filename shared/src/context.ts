import type { EntityManager } from 'typeorm';
import type { Logger } from './logger';
import type { Identity, Role } from './identity';
import type { Infra } from './infra/types';
import { ForbiddenError, UnauthenticatedError } from './errors';
import { LoaderRegistry } from './loaders';

/**
 * What every resolver and service receives first. `em` is the entity manager to use: inside
 * `inTransaction` it is the transaction's, so repositories taken from it join the transaction.
 */
export interface BaseContext {
  requestId: string;
  log: Logger;
  identity: Identity | null;
  clientIp: string | null;
  userAgent: string | null;
  em: EntityManager;
  /**
   * This request's DataLoaders. A loader reads through the `em` of the context that first made
   * it, so `inTransaction` gives the transaction a registry of its own: no loader made inside a
   * transaction outlives it, and none made outside reads inside it.
   */
  loaders: LoaderRegistry;
  infra: Infra;
  /** Callbacks run after the outermost transaction commits (enqueueing, cache busting). */
  afterCommit: Array<() => Promise<void> | void>;
  /**
   * Headers to add to this request's HTTP answer (set them with `setResponseHeader`). The kernel
   * server writes them once the operation has run, errors or not; absent where there is no HTTP
   * answer to write (graphql-ws, CLIs, direct service calls in tests).
   */
  responseHeaders?: Map<string, string>;
  /**
   * The browser's refresh-token cookie as the router forwarded it (`FORWARD_HEADERS.refreshCookie`),
   * read only on requests that carried the router secret; null or absent without one.
   */
  refreshCookie?: string | null;
}

/** Sets a header of this request's HTTP answer (a no-op where there is no HTTP answer). */
export function setResponseHeader(ctx: Pick<BaseContext, 'responseHeaders'>, name: string, value: string): void {
  ctx.responseHeaders?.set(name.toLowerCase(), value);
}

/** Throws UNAUTHENTICATED unless a user is signed in; returns the identity. */
export function requireUser(ctx: Pick<BaseContext, 'identity'>): Identity {
  if (!ctx.identity) throw new UnauthenticatedError();
  return ctx.identity;
}

/** Throws UNAUTHENTICATED when anonymous and FORBIDDEN when the user holds none of `roles`. */
export function requireRole(ctx: Pick<BaseContext, 'identity'>, ...roles: Role[]): Identity {
  const identity = requireUser(ctx);
  if (!identity.roles.some((r) => roles.includes(r))) throw new ForbiddenError();
  return identity;
}

export function hasRole(ctx: Pick<BaseContext, 'identity'>, role: Role): boolean {
  return !!ctx.identity?.roles.includes(role);
}

/**
 * Runs `fn` in a transaction. Nested calls join the outer transaction; `afterCommit` callbacks
 * run once the outermost one commits, and are dropped if it rolls back. The transaction's context
 * has its own loaders (see `BaseContext.loaders`).
 */
export async function inTransaction<C extends BaseContext, T>(ctx: C, fn: (tx: C) => Promise<T>): Promise<T> {
  if (ctx.em.queryRunner?.isTransactionActive) return fn(ctx);
  const afterCommit: BaseContext['afterCommit'] = [];
  const result = await ctx.em.transaction((em) => fn({ ...ctx, em, afterCommit, loaders: new LoaderRegistry() }));
  for (const cb of afterCommit) {
    try {
      await cb();
    } catch (error) {
      ctx.log.error({ err: error }, 'after-commit callback failed');
    }
  }
  return result;
}
