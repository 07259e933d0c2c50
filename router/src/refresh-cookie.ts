import { REFRESH_COOKIE_NAME } from '@fashionistar/shared/edge';

/**
 * The refresh-token cookie at the edge. Browsers send `fashionistar_rt` to the router; the router
 * forwards its value to identity only (FORWARD_HEADERS.refreshCookie), and identity asks for the
 * cookie to be set or cleared with SET_REFRESH_COOKIE_HEADER, which the router turns into a
 * `Set-Cookie` and never passes on. Identity decides what the cookie holds; the router only
 * checks that the value is a plain token before it goes into a header either way.
 */

/** Longest refresh-token value the router forwards or sets. */
export const MAX_REFRESH_COOKIE_LENGTH = 1024;
/** Browsers cap cookie lifetimes at 400 days; a longer Max-Age is a bug upstream. */
export const MAX_REFRESH_COOKIE_AGE_SECONDS = 400 * 24 * 3600;

// base64/base64url, hex, JWT-ish dots: nothing that could end an attribute (`;`), fold a header
// (CR/LF) or need quoting (spaces, quotes, commas, backslashes).
const TOKEN = /^[A-Za-z0-9._~+/=-]+$/;

/** Whether a value may travel as the refresh token in a Cookie or Set-Cookie header. */
export function validRefreshToken(value: string): boolean {
  return value.length > 0 && value.length <= MAX_REFRESH_COOKIE_LENGTH && TOKEN.test(value);
}

/** Whether REFRESH_COOKIE_DOMAIN is a plain host name (an optional leading dot, as browsers ignore it). */
export function validCookieDomain(value: string): boolean {
  return /^\.?[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/i.test(value) && value.length <= 253;
}

/** The refresh token of a request's Cookie header: the first well-formed `fashionistar_rt`, if any. */
export function refreshTokenFromCookies(header: string | string[] | undefined): string | null {
  if (!header) return null;
  const text = Array.isArray(header) ? header.join('; ') : header;
  if (text.length > 16 * 1024) return null;
  for (const pair of text.split(';')) {
    const eq = pair.indexOf('=');
    if (eq < 0 || pair.slice(0, eq).trim() !== REFRESH_COOKIE_NAME) continue;
    let value = pair.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    if (validRefreshToken(value)) return value;
  }
  return null;
}

/** What identity asked for: set the cookie to a token for `maxAgeSeconds`, or clear it. */
export type RefreshCookieUpdate = { token: string; maxAgeSeconds: number } | { clear: true };

/**
 * Parses identity's SET_REFRESH_COOKIE_HEADER: `<token>;<maxAgeSeconds>` sets, an empty value
 * clears. Anything else answers null (the router then leaves the cookie alone).
 */
export function parseSetRefreshCookie(value: string): RefreshCookieUpdate | null {
  const text = value.trim();
  if (text === '') return { clear: true };
  const m = /^([^;]+);(\d{1,10})$/.exec(text);
  if (!m || !validRefreshToken(m[1]!)) return null;
  const maxAgeSeconds = Number(m[2]);
  if (maxAgeSeconds < 1 || maxAgeSeconds > MAX_REFRESH_COOKIE_AGE_SECONDS) return null;
  return { token: m[1]!, maxAgeSeconds };
}

export interface RefreshCookieOptions {
  sameSite: 'Strict' | 'Lax' | 'None';
  domain?: string;
}

/**
 * The Set-Cookie value for an update: HttpOnly (no script reads it), Secure (browsers treat
 * http://localhost as secure, so this holds in development too), Path=/graphql (sent to the API
 * only), SameSite from REFRESH_COOKIE_SAMESITE, Domain from REFRESH_COOKIE_DOMAIN if set.
 */
export function setCookieHeader(update: RefreshCookieUpdate, o: RefreshCookieOptions): string {
  const [value, maxAge] = 'clear' in update ? ['', 0] : [update.token, update.maxAgeSeconds];
  const parts = [`${REFRESH_COOKIE_NAME}=${value}`, `Max-Age=${maxAge}`, 'Path=/graphql', 'HttpOnly', 'Secure', `SameSite=${o.sameSite}`];
  if (o.domain) parts.push(`Domain=${o.domain}`);
  return parts.join('; ');
}
