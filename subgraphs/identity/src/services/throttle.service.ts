import { RateLimitedError, type RateLimitResult } from '@fashionistar/shared';
import type { IdentityContext } from '../context';
import { sha256 } from './tokens';

/**
 * Throttles live in the shared store (Redis when configured), so every replica counts the same
 * attempts. Keys carry the store's prefix. Every counter is hit atomically BEFORE the guarded
 * work is done, so parallel requests cannot all slip under the limit.
 */

/** Counts one auth attempt from the caller's IP; RATE_LIMITED past the per-IP limit. */
export async function limitByIp(ctx: IdentityContext): Promise<void> {
  if (!ctx.clientIp) return;
  const { AUTH_ATTEMPTS_PER_IP, AUTH_IP_WINDOW_SECONDS } = ctx.deps.config;
  const r = await ctx.infra.kv.hit(`throttle:auth-ip:${ctx.clientIp}`, AUTH_ATTEMPTS_PER_IP, AUTH_IP_WINDOW_SECONDS);
  if (!r.allowed) throw new RateLimitedError(r.retryAfterSeconds, 'Too many attempts from your address. Try again shortly.');
}

/**
 * The password-attempt counter of an account: by user id when the account exists (so its e-mail
 * and its phone share one budget, and sign-in, account deletion and the password checks of
 * changes share it too), else by the hash of the normalised identifier.
 */
export const passwordAttemptKey = (userId: string | null, identifier = ''): string =>
  userId ? `throttle:password:user:${userId}` : `throttle:password:id:${sha256(identifier)}`;

/**
 * Counts one password attempt on the account before the password is checked. Answers the hit;
 * `allowed` is false past LOGIN_FAILURE_LIMIT attempts in the window (a success clears the count).
 */
export function hitPasswordAttempt(ctx: IdentityContext, key: string): Promise<RateLimitResult> {
  const { LOGIN_FAILURE_LIMIT, LOGIN_FAILURE_WINDOW_SECONDS } = ctx.deps.config;
  return ctx.infra.kv.hit(key, LOGIN_FAILURE_LIMIT, LOGIN_FAILURE_WINDOW_SECONDS);
}

/** Forgets the account's attempts after the right password. */
export async function clearPasswordAttempts(ctx: IdentityContext, key: string): Promise<void> {
  await ctx.infra.kv.del(key);
}

export const ACCOUNT_LOCKED_MESSAGE = 'Too many failed password attempts on this account. Try again later.';

/**
 * A per-identifier limit on messages sent to an address (e-mail or phone), counted before
 * anything is looked up. Answers whether one more may be sent; never throws, so a caller can stay
 * silent about it (password reset must not tell who has an account).
 */
export async function allowSendTo(ctx: IdentityContext, purpose: string, identifier: string): Promise<boolean> {
  const { OTP_SENDS_PER_WINDOW, OTP_SEND_WINDOW_SECONDS } = ctx.deps.config;
  const r = await ctx.infra.kv.hit(`throttle:send:${purpose}:${sha256(identifier)}`, OTP_SENDS_PER_WINDOW, OTP_SEND_WINDOW_SECONDS);
  return r.allowed;
}
