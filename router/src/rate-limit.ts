import type { ServerResponse } from 'node:http';
import { sendJson, type KeyValueStore, type Logger } from '@fashionistar/shared/edge';

/** The window both router limits count in: a fixed minute, as their names say. */
const WINDOW_SECONDS = 60;
/** How long a count may take before the request goes on uncounted (Redis answers in ~1 ms). */
export const COUNT_TIMEOUT_MS = 500;

export interface RateLimits {
  /** Requests per client IP per minute; 0 = no limit. */
  perIp: number;
  /** Requests per signed-in user per minute (whatever the address); 0 = no limit. */
  perUser: number;
}

/** A refused request: which limit it ran into and when the caller may try again. */
export interface RateLimitRefusal {
  limit: 'ip' | 'user';
  retryAfterSeconds: number;
}

/**
 * The router's per-IP and per-user request limits, counted in the shared key-value store (Redis
 * when configured, so every router replica counts the same requests; in-process otherwise, like
 * identity's throttles). Each GraphQL request over HTTP counts once, and so do a WebSocket's
 * `connection_init` and each of its `subscribe` messages; /health, /metrics, JWKS, CORS
 * preflights and /webhooks/* are not GraphQL and never count.
 *
 * The IP is counted before the token is checked, so a flood of forged tokens is limited too; the
 * user is counted once the token is verified, so one account spread over many addresses is
 * limited as well. Fixed one-minute windows: a client may burst up to twice the limit across a
 * window boundary, which these limits (abuse guards, not quotas) can live with.
 *
 * When the store fails or is slow (Redis down), requests go on uncounted rather than failing or
 * waiting: the limits guard the router, they must not take it down with Redis. The failure is
 * logged once when it starts and once when counting works again, not per request.
 */
export class RouterRateLimiter {
  private failing = false;

  constructor(
    private readonly kv: KeyValueStore,
    private readonly limits: RateLimits,
    private readonly log?: Logger,
    private readonly timeoutMs = COUNT_TIMEOUT_MS,
  ) {}

  /** Counts one request from `ip`; a refusal past RATE_LIMIT_PER_IP_PER_MINUTE, else null. */
  async hitIp(ip: string | null): Promise<RateLimitRefusal | null> {
    if (!ip || this.limits.perIp <= 0) return null;
    return this.hit('ip', `ratelimit:router:ip:${ip}`, this.limits.perIp);
  }

  /** Counts one request of signed-in `userId`; a refusal past RATE_LIMIT_PER_USER_PER_MINUTE, else null. */
  async hitUser(userId: string | null | undefined): Promise<RateLimitRefusal | null> {
    if (!userId || this.limits.perUser <= 0) return null;
    return this.hit('user', `ratelimit:router:user:${userId}`, this.limits.perUser);
  }

  private async hit(limit: RateLimitRefusal['limit'], key: string, max: number): Promise<RateLimitRefusal | null> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
      });
      const r = await Promise.race([this.kv.hit(key, max, WINDOW_SECONDS), timeout]);
      if (this.failing) {
        this.failing = false;
        this.log?.info('rate limits: counting again');
      }
      return r.allowed ? null : { limit, retryAfterSeconds: Math.max(1, r.retryAfterSeconds) };
    } catch (err) {
      if (!this.failing) {
        this.failing = true;
        this.log?.warn({ err }, 'rate limits: the key-value store failed; requests go on uncounted until it answers');
      }
      return null;
    } finally {
      clearTimeout(timer);
    }
  }
}

export function rateLimitMessage(refusal: RateLimitRefusal): string {
  const who = refusal.limit === 'ip' ? 'from your address' : 'for your account';
  return `Too many requests ${who}. Try again in ${refusal.retryAfterSeconds} s.`;
}

/** The GraphQL-shaped 429: RATE_LIMITED with `retryAfterSeconds`, and the same in `Retry-After`. */
export function sendRateLimited(res: ServerResponse, refusal: RateLimitRefusal): void {
  sendJson(
    res,
    429,
    {
      errors: [
        {
          message: rateLimitMessage(refusal),
          extensions: { code: 'RATE_LIMITED', retryAfterSeconds: refusal.retryAfterSeconds, limit: refusal.limit },
        },
      ],
    },
    { 'retry-after': String(refusal.retryAfterSeconds) },
  );
}
