import { timingSafeEqual } from 'node:crypto';

/** Roles a user can hold. Staff kinds (support, editor) come later as permissions, not roles. */
export const ROLES = ['CUSTOMER', 'VENDOR', 'ADMIN', 'DELIVERY'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling, as verified by the router from the access token. */
export interface Identity {
  userId: string;
  roles: Role[];
  /** The session (refresh-token family) the access token belongs to. */
  sessionId: string;
}

/** Headers the router sets on every subgraph request. Subgraphs trust them only with the secret. */
export const FORWARD_HEADERS = {
  secret: 'x-fsg-router-secret',
  identity: 'x-fsg-identity',
  clientIp: 'x-fsg-client-ip',
  userAgent: 'x-fsg-user-agent',
  requestId: 'x-request-id',
  /** The browser's refresh-token cookie value, forwarded to identity only. */
  refreshCookie: 'x-fsg-refresh-cookie',
} as const;

/** The refresh-token cookie web clients may use instead of the response body (the legacy's name). */
export const REFRESH_COOKIE_NAME = 'fashionistar_rt';

/**
 * Response header by which identity asks the router to set (`<token>;<maxAgeSeconds>`) or clear
 * (empty value) the refresh-token cookie. The router honours it from identity only and never
 * passes it on to the client.
 */
export const SET_REFRESH_COOKIE_HEADER = 'x-fsg-set-refresh-cookie';

export function encodeIdentity(identity: Identity): string {
  return Buffer.from(JSON.stringify(identity)).toString('base64url');
}

/** Parses the forwarded identity header; a malformed one is treated as no identity. */
export function decodeIdentity(header: string | undefined): Identity | null {
  if (!header) return null;
  try {
    const v = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as Partial<Identity>;
    if (typeof v.userId !== 'string' || typeof v.sessionId !== 'string' || !Array.isArray(v.roles)) return null;
    const roles = v.roles.filter((r): r is Role => (ROLES as readonly string[]).includes(r));
    return { userId: v.userId, sessionId: v.sessionId, roles };
  } catch {
    return null;
  }
}

/** Constant-time comparison of the router secret. */
export function secretMatches(given: string | undefined, expected: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
