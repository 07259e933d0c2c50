import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '@fashionistar/shared/edge';

/**
 * One allowed origin: scheme and host must match exactly; `port` is a number, `'*'` (any port,
 * the scheme's default included) or null (the scheme's default port only).
 */
export interface CorsOrigin {
  scheme: 'http' | 'https';
  host: string;
  port: number | '*' | null;
}

/** Origins allowed outside production when CORS_ORIGINS is unset: any local dev server. */
export const DEV_CORS_ORIGINS = 'http://localhost:*,http://127.0.0.1:*';

/** Request headers browsers may send (what our clients send: Apollo Client, graphql-request, urql). */
export const CORS_ALLOW_HEADERS = [
  'authorization',
  'content-type',
  'apollo-require-preflight',
  'x-apollo-operation-name',
  'apollographql-client-name',
  'apollographql-client-version',
  'x-request-id',
].join(', ');

/** Response headers a page's script may read. */
export const CORS_EXPOSE_HEADERS = ['x-request-id', 'retry-after', 'www-authenticate'].join(', ');

/** How long a browser may cache a preflight answer, in seconds. */
export const CORS_MAX_AGE_SECONDS = 600;

// scheme://host[:port]; host is a DNS name, an IPv4 address or a bracketed IPv6 address. Nothing
// else: no path, query, user info or trailing slash, so `http://localhost:3000.evil.com` and
// `http://localhost.evil.com:3000` can only ever be compared as whole hosts.
const ORIGIN = /^(https?):\/\/([a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::(\d{1,5}|\*))?$/;

const DEFAULT_PORT = { http: 80, https: 443 } as const;

function parseOrigin(text: string, allowWildcardPort: boolean): CorsOrigin | null {
  const m = ORIGIN.exec(text.trim().toLowerCase());
  if (!m) return null;
  const scheme = m[1] as CorsOrigin['scheme'];
  const rawPort = m[3];
  if (rawPort === '*' && !allowWildcardPort) return null;
  let port: CorsOrigin['port'] = null;
  if (rawPort === '*') port = '*';
  else if (rawPort !== undefined) {
    port = Number(rawPort);
    if (port < 1 || port > 65535) return null;
    if (port === DEFAULT_PORT[scheme]) port = null;
  }
  return { scheme, host: m[2]!, port };
}

/**
 * Parses CORS_ORIGINS: comma-separated origins `scheme://host[:port]`, where `*` may stand only
 * for the port (`http://localhost:*`). Throws naming every bad entry (config load reports it).
 */
export function parseCorsOrigins(raw: string): CorsOrigin[] {
  const entries = raw
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  const bad = entries.filter((e) => !parseOrigin(e, true));
  if (bad.length) {
    throw new Error(
      `has entries that are not origins of the form scheme://host[:port] (http or https, "*" only as the port): ${bad.map((b) => JSON.stringify(b)).join(', ')}`,
    );
  }
  return entries.map((e) => parseOrigin(e, true)!);
}

/** Whether a request's Origin header names an allowed origin (`null` and malformed ones never do). */
export function originAllowed(origin: string | undefined, allowed: readonly CorsOrigin[]): boolean {
  if (!origin || allowed.length === 0) return false;
  const o = parseOrigin(origin, false);
  if (!o) return false;
  return allowed.some((a) => a.scheme === o.scheme && a.host === o.host && (a.port === '*' || a.port === o.port));
}

/**
 * CORS for /graphql. Answers an allowed preflight itself (204) and refuses a preflight from any
 * other origin (403, no CORS headers); for every other request it only adds the CORS headers of an
 * allowed origin and lets the request go on to Apollo, whose CSRF guard still applies. Answers
 * true when it has answered the request.
 */
export function handleCors(req: IncomingMessage, res: ServerResponse, allowed: readonly CorsOrigin[]): boolean {
  const origin = typeof req.headers.origin === 'string' ? req.headers.origin : undefined;
  // The answer depends on Origin whatever it is, so shared caches must key on it.
  res.setHeader('vary', 'Origin');
  const ok = originAllowed(origin, allowed);
  const preflight = req.method === 'OPTIONS' && origin !== undefined && req.headers['access-control-request-method'] !== undefined;
  if (preflight) {
    if (!ok) {
      sendJson(res, 403, {
        errors: [
          {
            message: `The origin ${JSON.stringify(origin)} may not call this API from a browser. Allowed origins are set in CORS_ORIGINS.`,
            extensions: { code: 'FORBIDDEN' },
          },
        ],
      });
      return true;
    }
    res.writeHead(204, {
      'access-control-allow-origin': origin!,
      'access-control-allow-credentials': 'true',
      'access-control-allow-methods': 'GET, POST, OPTIONS',
      'access-control-allow-headers': CORS_ALLOW_HEADERS,
      'access-control-max-age': String(CORS_MAX_AGE_SECONDS),
      'content-length': '0',
    });
    res.end();
    return true;
  }
  if (ok) {
    res.setHeader('access-control-allow-origin', origin!);
    res.setHeader('access-control-allow-credentials', 'true');
    res.setHeader('access-control-expose-headers', CORS_EXPOSE_HEADERS);
  }
  return false;
}
