import { isIP } from 'node:net';

/**
 * The client's IP address behind `trustedHops` reverse proxies.
 *
 * Each proxy appends the address it received the request from to X-Forwarded-For, so the list
 * reads "<whatever the client sent>, …, <added by proxy 1>" and the socket peer is the proxy
 * nearest to us. Only the entries our own proxies added can be believed: with `trustedHops`
 * proxies, the client is the `trustedHops`-th entry from the right (for one proxy, the last
 * entry). Anything to its left was written by the client and is ignored. With 0 hops (no trusted
 * proxy, the default) the header is ignored altogether and the socket peer is the client.
 *
 * When the header has fewer entries than trusted hops, the left-most entry is the furthest
 * address a trusted proxy vouched for, so that one is answered. When the chosen entry is not an
 * IP address (a misconfigured proxy writing "unknown", say), the socket peer is answered.
 * Addresses are normalized: ports and IPv6 brackets dropped, IPv4-mapped IPv6 written as IPv4.
 */
export function clientIp(
  remoteAddress: string | null | undefined,
  forwardedFor: string | readonly string[] | null | undefined,
  trustedHops: number,
): string | null {
  const peer = remoteAddress ? (normalizeIp(remoteAddress) ?? remoteAddress) : null;
  const hops = Number.isFinite(trustedHops) ? Math.max(0, Math.floor(trustedHops)) : 0;
  if (hops === 0 || !forwardedFor) return peer;
  const entries = (typeof forwardedFor === 'string' ? [forwardedFor] : forwardedFor)
    .flatMap((h) => h.split(','))
    .map((e) => e.trim())
    .filter((e) => e.length > 0);
  if (entries.length === 0) return peer;
  const chosen = entries[Math.max(0, entries.length - hops)]!;
  return normalizeIp(chosen) ?? peer;
}

/**
 * TRUST_PROXY as a number of trusted hops: false/0 → 0, true → 1, an integer → that many.
 * Accepts the config's boolean as well as the raw variable text ("true", "2", "off", …).
 */
export function trustedProxyHops(value: boolean | number | string | undefined | null): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 0) throw new RangeError(`TRUST_PROXY must be true, false or a number of hops, got ${value}`);
    return value;
  }
  const text = value.trim();
  if (/^(true|yes|on)$/i.test(text)) return 1;
  if (/^(false|no|off|)$/i.test(text)) return 0;
  if (/^\d+$/.test(text)) return Number(text);
  throw new RangeError(`TRUST_PROXY must be true, false or a number of hops, got "${value}"`);
}

/** `ip`, `ip:port`, `[ipv6]` or `[ipv6]:port` as a bare IP address; null when it is none of these. */
function normalizeIp(value: string): string | null {
  let ip = value.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(ip);
  if (bracketed) ip = bracketed[1]!;
  else if (/^[^:]+:\d+$/.test(ip)) ip = ip.slice(0, ip.lastIndexOf(':')); // IPv4 with a port
  const version = isIP(ip);
  if (version === 0) return null;
  const mapped = version === 6 ? /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip) : null;
  return mapped ? mapped[1]! : ip.toLowerCase();
}
