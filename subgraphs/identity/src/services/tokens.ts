import { createHash, randomBytes, randomInt } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { Role } from '@fashionistar/shared';
import type { IdentityContext } from '../context';

export const sha256 = (value: string): string => createHash('sha256').update(value).digest('hex');

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
