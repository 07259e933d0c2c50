import type { IncomingMessage } from 'node:http';
import passport from 'passport';
import { ExtractJwt, Strategy as JwtStrategy, type StrategyOptionsWithRequest } from 'passport-jwt';
import {
  ROLES,
  UnavailableError,
  revokedSessionKey,
  type Identity,
  type Infra,
  type Role,
  type UnauthenticatedReason,
} from '@fashionistar/shared/edge';
import type { JwksCache } from './jwks';

/** Why a token was refused, as clients read it in `extensions.reason` (a subset of the kernel's). */
export type TokenRejectionReason = Extract<UnauthenticatedReason, 'TOKEN_EXPIRED' | 'SESSION_ENDED' | 'TOKEN_INVALID'>;

/**
 * Why a request's token was refused; the router answers UNAUTHENTICATED with this message and
 * reason: TOKEN_EXPIRED (refresh and retry), SESSION_ENDED (sign in again) or TOKEN_INVALID
 * (malformed, forged, unknown key, wrong issuer or audience: drop the token).
 */
export class TokenRejected extends Error {
  constructor(
    message: string,
    readonly reason: TokenRejectionReason = 'TOKEN_INVALID',
  ) {
    super(message);
  }
}

interface AccessClaims {
  sub?: string;
  sid?: string;
  roles?: unknown;
  exp?: number;
}

/** A verified access token: who it is for and when it stops being valid. */
export interface VerifiedToken {
  identity: Identity;
  /** Epoch milliseconds of the token's `exp` (a token without one is refused). */
  expiresAt: number;
}

/**
 * Verifies access tokens with passport-jwt against identity's JWKS (ES256 only, issuer and
 * audience checked), then against the revoked-session list, so a logged-out session's tokens
 * are refused at once even though they have not expired.
 */
export class TokenVerifier {
  private readonly passport = new passport.Passport();

  constructor(
    jwks: JwksCache,
    private readonly infra: Infra,
    issuer: string,
    audience: string,
    /** How long a revoked-session check may wait for the store; then SERVICE_UNAVAILABLE. */
    private readonly storeTimeoutMs = 1000,
  ) {
    const options: StrategyOptionsWithRequest = {
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      algorithms: ['ES256'],
      issuer,
      audience,
      passReqToCallback: true,
      secretOrKeyProvider: (_req, rawJwt, done) => {
        const kid = headerKid(rawJwt);
        if (!kid) return done(new TokenRejected('The access token has no key id.'));
        jwks
          .key(kid)
          .then((key) =>
            key
              ? // jsonwebtoken takes the cached KeyObject as is: no PEM export and re-parse per
                // request (that was ~7 % of router CPU under load).
                done(null, key as unknown as string)
              : done(new TokenRejected('The access token was signed by an unknown key.')),
          )
          .catch(done);
      },
    };
    this.passport.use(
      'jwt',
      new JwtStrategy(
        options,
        (_req: IncomingMessage, claims: AccessClaims, done: (e: Error | null, user?: VerifiedToken | false) => void) => {
          const roles = Array.isArray(claims.roles) ? claims.roles.filter((r): r is Role => (ROLES as readonly string[]).includes(r)) : [];
          if (!claims.sub || !claims.sid) return done(null, false);
          // jsonwebtoken checks `exp` only when present: a token without one would never expire
          // (and outlive its session's entry on the revoked-session list, which has the token's TTL).
          if (typeof claims.exp !== 'number' || !Number.isFinite(claims.exp))
            return done(new TokenRejected('The access token has no expiry.'));
          done(null, { identity: { userId: claims.sub, sessionId: claims.sid, roles }, expiresAt: claims.exp * 1000 });
        },
      ),
    );
  }

  /**
   * The caller's identity: null without an Authorization header; throws TokenRejected (with its
   * reason) for any token that is malformed, forged, expired or revoked. The router then refuses
   * every operation but the sign-in flows (tokenGate): a client sending a bad token learns so
   * rather than silently acting anonymously, yet can still refresh or sign out.
   */
  async verify(authorization: string | undefined): Promise<Identity | null> {
    return (await this.authenticate(authorization))?.identity ?? null;
  }

  /** As `verify`, also answering when the token expires (long-lived WebSocket connections need it). */
  async authenticate(authorization: string | undefined): Promise<VerifiedToken | null> {
    if (!authorization) return null;
    if (!/^Bearer\s+\S+$/i.test(authorization.trim())) throw new TokenRejected('Use the header "Authorization: Bearer <token>".');
    const verified = await new Promise<VerifiedToken>((resolve, reject) => {
      const req = { headers: { authorization: authorization.trim() } } as IncomingMessage;
      const handler = this.passport.authenticate('jwt', { session: false }, (err: unknown, user: VerifiedToken | false, info: unknown) => {
        if (err) return reject(err instanceof TokenRejected ? err : new TokenRejected('The access token could not be verified.'));
        if (!user) return reject(rejection(info));
        resolve(user);
      });
      handler(req, {}, reject);
    });
    if (await this.isRevoked(verified.identity.sessionId)) throw new TokenRejected(SESSION_ENDED_MESSAGE, 'SESSION_ENDED');
    return verified;
  }

  /**
   * Whether a session is on the revoked-session list: the cheap re-check (one KV read, no JWT
   * work) for a connection that verified its token earlier.
   */
  async isRevoked(sessionId: string): Promise<boolean> {
    // ioredis queues commands while it reconnects and retries each ~20 times (about 30 s): with
    // Redis down every signed-in request would hang that long. Fail fast and retryable instead.
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(storeUnavailable()), this.storeTimeoutMs);
    });
    try {
      return Boolean(await Promise.race([this.infra.kv.get(revokedSessionKey(sessionId)), timeout]));
    } catch (error) {
      throw error instanceof UnavailableError ? error : storeUnavailable();
    } finally {
      clearTimeout(timer);
    }
  }
}

const storeUnavailable = () => new UnavailableError('Sign-in cannot be checked right now. Try again shortly.', 'SERVICE_UNAVAILABLE');

function headerKid(rawJwt: string): string | null {
  try {
    const header = JSON.parse(Buffer.from(rawJwt.split('.')[0] ?? '', 'base64url').toString('utf8')) as { kid?: unknown };
    return typeof header.kid === 'string' ? header.kid : null;
  } catch {
    return null;
  }
}

/** The message of a token whose session was ended (logout, revocation, password change…). */
export const SESSION_ENDED_MESSAGE = 'This session has ended. Sign in again.';
/** The message of an expired access token. */
export const TOKEN_EXPIRED_MESSAGE = 'The access token has expired. Refresh it.';

function rejection(info: unknown): TokenRejected {
  // passport-jwt hands a key-lookup failure (no kid, unknown key) to the callback as `info`.
  if (info instanceof TokenRejected) return info;
  const name = (info as { name?: string } | undefined)?.name;
  if (name === 'TokenExpiredError') return new TokenRejected(TOKEN_EXPIRED_MESSAGE, 'TOKEN_EXPIRED');
  return new TokenRejected('The access token is not valid.', 'TOKEN_INVALID');
}
