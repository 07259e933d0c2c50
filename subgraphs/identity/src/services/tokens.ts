import { createHash, createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { Role } from '@fashionistar/shared';
import type { IdentityContext } from '../context';

export const sha256 = (value: string): string => createHash('sha256').update(value).digest('hex');

/** HMAC-SHA256 of `value` keyed by `secret`, hex: for low-entropy secrets (SMS codes) at rest. */
export const hmacSha256 = (secret: string, value: string): string => createHmac('sha256', secret).update(value).digest('hex');

/** Compares two hex digests in constant time. */
export function sameDigest(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

/** An opaque random token and the hash that is stored instead of it. */
export function opaqueToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: sha256(token) };
}

/** A uniformly random 6-digit code from a CSPRNG. */
export const sixDigitCode = (): string => String(randomInt(0, 1_000_000)).padStart(6, '0');

/** Signs a short-lived access token for `userId` in session `sessionId` with the current key. */
export function signAccessToken(ctx: IdentityContext, userId: string, roles: Role[], sessionId: string): string {
  const { config, keys } = ctx.deps;
  const key = keys.current;
  return jwt.sign({ roles, sid: sessionId }, key.privateKey, {
    algorithm: 'ES256',
    keyid: key.kid,
    subject: userId,
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    expiresIn: config.ACCESS_TOKEN_TTL_SECONDS,
  });
}
