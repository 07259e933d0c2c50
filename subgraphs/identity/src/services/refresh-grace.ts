import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { IdentityContext } from '../context';
import { sha256 } from './tokens';

/** What one rotation of a refresh token handed out: replayed as is within the grace window. */
export interface IssuedPair {
  accessToken: string;
  refreshToken: string;
  userId: string;
  sessionId: string;
  /** When the session ends (ISO): the cookie's max-age is counted from it. */
  sessionExpiresAt: string;
}

/**
 * The reuse grace window (REFRESH_REUSE_GRACE_SECONDS, off by default).
 *
 * Two tabs refreshing the same token at the same moment look exactly like a thief replaying a
 * stolen token right after its owner refreshed: with the window off, the second use ends the
 * session (see rotateRefreshToken). With it on, a second use within the window answers the same
 * new pair the first use got, and the session lives. The trade-off:
 * - a thief who replays within the window gets a live pair instead of being detected, and the
 *   owner keeps a pair too, so the theft is only detected at the next refresh of either (when one
 *   of them presents a token the other already rotated);
 * - the new pair must be kept somewhere for the window. It is kept in the key-value store (Redis)
 *   only for that long, under the SHA-256 of the used token (which is what the database stores,
 *   so a reader of the database learns where to look) and encrypted with AES-256-GCM under a key
 *   derived differently from the used token itself, which is stored nowhere: a reader of Redis or
 *   of the database alone cannot open it.
 * Web clients should serialise refreshes (Web Locks) anyway; the window only covers what slips
 * through, e.g. two app instances that cannot share a lock.
 */
const graceKey = (usedToken: string) => `identity:refresh-grace:${sha256(usedToken)}`;
const cipherKey = (usedToken: string) => createHash('sha256').update(`refresh-grace-key:${usedToken}`).digest();

/**
 * Keeps the pair a rotation of `usedToken` answered for the grace window. Called inside the
 * rotation's transaction while the token row is locked, so a concurrent second use (waiting on
 * that lock) finds it once the rotation commits.
 */
export async function rememberRotation(ctx: IdentityContext, usedToken: string, pair: IssuedPair, seconds: number): Promise<void> {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', cipherKey(usedToken), iv);
  const sealed = Buffer.concat([cipher.update(JSON.stringify(pair), 'utf8'), cipher.final()]);
  const value = Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url');
  await ctx.infra.kv.set(graceKey(usedToken), value, seconds);
}

/** The pair a rotation of `usedToken` answered, while the grace window lasts; null otherwise. */
export async function recallRotation(ctx: IdentityContext, usedToken: string): Promise<IssuedPair | null> {
  const value = await ctx.infra.kv.get(graceKey(usedToken));
  if (!value) return null;
  try {
    const raw = Buffer.from(value, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', cipherKey(usedToken), raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    const text = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    return JSON.parse(text) as IssuedPair;
  } catch {
    return null; // tampered with or unreadable: no replay, the reuse rule applies
  }
}
