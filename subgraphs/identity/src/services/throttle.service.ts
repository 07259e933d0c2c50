import { RateLimitedError } from '@fashionistar/shared';
import type { IdentityContext } from '../context';

/**
 * Throttles live in the shared store (Redis when configured), so every replica counts the same
 * attempts. Keys carry the store's prefix.
 */

/** Counts one auth attempt from the caller's IP; RATE_LIMITED past the per-IP limit. */
export async function limitByIp(ctx: IdentityContext): Promise<void> {
  if (!ctx.clientIp) return;
  const { AUTH_ATTEMPTS_PER_IP, AUTH_IP_WINDOW_SECONDS } = ctx.deps.config;
  const r = await ctx.infra.kv.hit(`throttle:auth-ip:${ctx.clientIp}`, AUTH_ATTEMPTS_PER_IP, AUTH_IP_WINDOW_SECONDS);
  if (!r.allowed) throw new RateLimitedError(r.retryAfterSeconds, 'Too many attempts from your address. Try again shortly.');
}

const failureKey = (identifier: string) => `throttle:login-fail:${identifier}`;

/** Seconds until the account may try again when it has too many recent failures, else 0. */
export async function accountLockSeconds(ctx: IdentityContext, identifier: string): Promise<number> {
  const key = failureKey(identifier);
  if ((await ctx.infra.kv.count(key)) < ctx.deps.config.LOGIN_FAILURE_LIMIT) return 0;
  return Math.max(1, await ctx.infra.kv.ttl(key));
}

export async function recordLoginFailure(ctx: IdentityContext, identifier: string): Promise<void> {
  const { LOGIN_FAILURE_LIMIT, LOGIN_FAILURE_WINDOW_SECONDS } = ctx.deps.config;
  await ctx.infra.kv.hit(failureKey(identifier), LOGIN_FAILURE_LIMIT, LOGIN_FAILURE_WINDOW_SECONDS);
}

export async function clearLoginFailures(ctx: IdentityContext, identifier: string): Promise<void> {
  await ctx.infra.kv.del(failureKey(identifier));
}
