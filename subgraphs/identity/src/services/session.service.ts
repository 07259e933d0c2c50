import { randomUUID } from 'node:crypto';
import { IsNull, MoreThan, Not } from 'typeorm';
import {
  NotFoundError,
  SessionRevoked,
  emitEvent,
  inTransaction,
  isUuid,
  requireUser,
  revokedSessionKey,
  type EventEnvelope,
  type Infra,
  type PayloadOf,
} from '@fashionistar/shared';
import type { IdentityConfig } from '../config';
import type { IdentityContext } from '../context';
import { RefreshTokenEntity, SessionEntity } from '../entities/session.entity';
import { UserEntity } from '../entities/user.entity';
import { recallRotation, rememberRotation, type IssuedPair } from './refresh-grace';
import { opaqueToken, sha256, signAccessToken } from './tokens';

/** Pub/sub topic of a user's session revocations (the `sessionRevoked` subscription). */
export const sessionTopic = (userId: string) => `identity.session-revoked.${userId}`;

export interface SessionRevocationEvent {
  sessionId: string;
  userId: string;
  reason: string;
  at: string;
}

/**
 * The caller's session revocations, as they happen. Subscribed before returning, so a
 * revocation right after the subscription starts is not missed. A plain iterator rather than an
 * async generator: a generator's return() waits for its pending next(), i.e. for the user's next
 * revocation, so the pub/sub subscription would outlive the GraphQL subscription; here return()
 * ends it at once (and settles the pending next()).
 */
export async function watchMySession(ctx: IdentityContext): Promise<AsyncIterableIterator<{ sessionRevoked: SessionRevocationEvent }>> {
  const identity = requireUser(ctx);
  const events = ctx.infra.pubsub.subscribe(sessionTopic(identity.userId));
  await events.ready;
  const done = { value: undefined, done: true } as const;
  const iterator: AsyncIterableIterator<{ sessionRevoked: SessionRevocationEvent }> = {
    async next() {
      for (;;) {
        const r = await events.next();
        if (r.done) return done;
        const revocation = r.value as SessionRevocationEvent;
        if (revocation.sessionId === identity.sessionId) return { value: { sessionRevoked: revocation }, done: false };
      }
    },
    async return() {
      await events.return?.();
      return done;
    },
    async throw(error?: unknown) {
      await events.return?.();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}

/** Opens a session for `userId` and answers its first refresh token. */
export async function openSession(ctx: IdentityContext, userId: string): Promise<{ session: SessionEntity; refreshToken: string }> {
  const now = new Date();
  const session = ctx.em.create(SessionEntity, {
    id: randomUUID(),
    userId,
    lastUsedAt: now,
    expiresAt: new Date(now.getTime() + ctx.deps.config.REFRESH_TOKEN_TTL_DAYS * 86400_000),
    revokedAt: null,
    revokeReason: null,
    ipAddress: ctx.clientIp,
    userAgent: ctx.userAgent?.slice(0, 500) ?? null,
  });
  await ctx.em.insert(SessionEntity, session);
  const refreshToken = await issueRefreshToken(ctx, session.id);
  return { session, refreshToken };
}

async function issueRefreshToken(ctx: IdentityContext, sessionId: string): Promise<string> {
  const { token, hash } = opaqueToken();
  await ctx.em.insert(RefreshTokenEntity, { id: randomUUID(), sessionId, tokenHash: hash, usedAt: null });
  return token;
}

/** Why a session ended, as stored (`session.revoke_reason`) and told (`SessionRevocation.reason`). */
export const REVOKE_REASONS = [
  'LOGOUT',
  'USER_REVOKED',
  'USER_REVOKED_OTHERS',
  'PASSWORD_CHANGED',
  'PASSWORD_RESET',
  'REFRESH_TOKEN_REUSED',
  'ACCOUNT_DELETED',
  'ROLE_GRANTED',
] as const;
export type RevokeReason = (typeof REVOKE_REASONS)[number];

/** A stored or published reason as the API's enum: one this version does not know is OTHER. */
export const revocationReasonOf = (stored: string): RevokeReason | 'OTHER' =>
  (REVOKE_REASONS as readonly string[]).includes(stored) ? (stored as RevokeReason) : 'OTHER';

export type RotateResult =
  | { kind: 'ok'; pair: IssuedPair; user: UserEntity }
  /** A second use within the grace window: the pair the first use got. */
  | { kind: 'replayed'; pair: IssuedPair }
  /** No such token (never issued, garbled). */
  | { kind: 'invalid' }
  /** The token's session has expired or was revoked, or its account was deleted. */
  | { kind: 'ended' }
  /** A used token, outside the grace window: the caller must revoke the session. */
  | { kind: 'reused'; sessionId: string };

/**
 * Rotates a refresh token and signs the new access token. The token row is locked, so two
 * concurrent refreshes with the same token cannot both rotate it; a token already rotated is
 * reuse, and the caller must revoke its session after this transaction (the revocation must
 * commit even though the call fails).
 *
 * By default there is no grace window for a token rotated a moment ago: an attacker replaying a
 * stolen token right after the victim refreshed looks exactly like a client racing itself, so
 * any reuse ends the session, and clients must keep at most one refresh in flight per session
 * (serialize refreshes, share the pending one between tabs/requests). REFRESH_REUSE_GRACE_SECONDS
 * opens a window in which a second use answers the first use's pair (see refresh-grace.ts for
 * the trade-off); the pair is stored before the row lock is released, so concurrent second uses
 * waiting on the lock all find it.
 */
export async function rotateRefreshToken(ctx: IdentityContext, token: string): Promise<RotateResult> {
  const grace = ctx.deps.config.REFRESH_REUSE_GRACE_SECONDS;
  // Within the window is judged by when the request arrived, not when it got the row lock: a
  // burst of replays queues on that lock and must not turn into reuse while it waits.
  const arrivedAt = Date.now();
  if (grace > 0) {
    // Fast path for replays: no lock to queue on once the first use has committed its pair.
    const replay = await recallRotation(ctx, token);
    if (replay && (await replayable(ctx, token, replay, arrivedAt, grace))) return { kind: 'replayed', pair: replay };
  }
  return inTransaction(ctx, async (tx) => {
    const row = await tx.em.findOne(RefreshTokenEntity, {
      where: { tokenHash: sha256(token) },
      lock: { mode: 'pessimistic_write' },
    });
    if (!row) return { kind: 'invalid' };
    const session = await tx.em.findOne(SessionEntity, { where: { id: row.sessionId } });
    if (!session || session.revokedAt || session.expiresAt <= new Date()) return { kind: 'ended' };
    if (row.usedAt) {
      const inWindow = grace > 0 && arrivedAt - row.usedAt.getTime() <= grace * 1000;
      const replay = inWindow ? await recallRotation(tx, token) : null;
      return replay ? { kind: 'replayed', pair: replay } : { kind: 'reused', sessionId: session.id };
    }
    const user = await tx.em.findOne(UserEntity, { where: { id: session.userId } });
    if (!user || user.deletedAt) return { kind: 'ended' };
    await tx.em.update(RefreshTokenEntity, { id: row.id }, { usedAt: new Date() });
    await tx.em.update(SessionEntity, { id: session.id }, { lastUsedAt: new Date(), ipAddress: tx.clientIp ?? session.ipAddress });
    const pair: IssuedPair = {
      accessToken: signAccessToken(tx, user.id, user.roles, session.id),
      refreshToken: await issueRefreshToken(tx, session.id),
      userId: user.id,
      sessionId: session.id,
      sessionExpiresAt: session.expiresAt.toISOString(),
    };
    // Kept a little past the window, for replays that arrived within it but waited on the lock.
    if (grace > 0) await rememberRotation(tx, token, pair, grace + GRACE_MARGIN_SECONDS);
    return { kind: 'ok', pair, user };
  });
}

/** How long past the grace window a rotation's pair is kept for replays that arrived in time. */
const GRACE_MARGIN_SECONDS = 30;

/** Whether a remembered pair may answer this use: it arrived within the window and the session is live. */
async function replayable(ctx: IdentityContext, token: string, pair: IssuedPair, arrivedAt: number, grace: number): Promise<boolean> {
  const row = await ctx.em.findOne(RefreshTokenEntity, { select: { usedAt: true, sessionId: true }, where: { tokenHash: sha256(token) } });
  if (!row?.usedAt || row.sessionId !== pair.sessionId || arrivedAt - row.usedAt.getTime() > grace * 1000) return false;
  const session = await ctx.em.findOne(SessionEntity, { select: { revokedAt: true, expiresAt: true }, where: { id: row.sessionId } });
  return !!session && !session.revokedAt && session.expiresAt > new Date();
}

/**
 * Ends the session a refresh token belongs to, if it is still live. Only a token whose hash is
 * stored proves anything: an unknown one ends nothing. A used token of the session counts (its
 * holder had the session; presenting it to `refresh` would end the session too).
 */
export async function endSessionOfRefreshToken(ctx: IdentityContext, token: string): Promise<void> {
  const row = await ctx.em.findOne(RefreshTokenEntity, { select: { sessionId: true }, where: { tokenHash: sha256(token) } });
  if (row) await revokeSessions(ctx, [row.sessionId], 'LOGOUT');
}

/** How long a session stays on the revoked-session list: as long as one of its access tokens can live. */
const revokedListSeconds = (config: IdentityConfig) => config.ACCESS_TOKEN_TTL_SECONDS + 60;

/**
 * Ends sessions: marks them revoked and puts them on the revoked-session list for as long as an
 * access token of theirs can live, so the router refuses those tokens within seconds.
 *
 * The list is filled twice: at once after the commit (fast path, best effort), and by the
 * `identity.session.revoked` event written in the same transaction as the revocation, whose
 * consumer retries until Redis takes it. Runs in the caller's transaction, or in its own.
 */
export async function revokeSessions(ctx: IdentityContext, sessionIds: string[], reason: RevokeReason): Promise<number> {
  if (sessionIds.length === 0) return 0;
  return inTransaction(ctx, async (tx) => {
    // Only the sessions this call ends are told about, so ending one twice (a repeated logout, two
    // revocations racing) is a no-op the second time.
    const [rows]: [Array<{ id: string; user_id: string }>, number] = await tx.em.query(
      `UPDATE session SET revoked_at = now(), revoke_reason = $2 WHERE id = ANY($1::uuid[]) AND revoked_at IS NULL RETURNING id, user_id`,
      [sessionIds, reason],
    );
    if (rows.length === 0) return 0;
    const ids = rows.map((s) => s.id);
    await emitEvent(tx, SessionRevoked, { sessionIds: ids, reason });
    const ttl = revokedListSeconds(tx.deps.config);
    const at = new Date().toISOString();
    // After commit only: a rolled-back revocation must not lock anyone out.
    tx.afterCommit.push(async () => {
      await Promise.all(ids.map((id) => tx.infra.kv.set(revokedSessionKey(id), reason, ttl)));
      await Promise.all(
        rows.map((s) => tx.infra.pubsub.publish(sessionTopic(s.user_id), { sessionId: s.id, userId: s.user_id, reason, at })),
      );
    });
    return rows.length;
  });
}

/**
 * Puts the sessions of a SessionRevoked event on the revoked-session list, for what is left of
 * the time their access tokens can live. A store failure throws, so the queue retries.
 */
export async function applySessionRevoked(
  infra: Infra,
  config: IdentityConfig,
  event: EventEnvelope<PayloadOf<typeof SessionRevoked>>,
): Promise<void> {
  const { sessionIds, reason } = event.payload;
  const elapsed = Math.max(0, (Date.now() - Date.parse(event.occurredAt)) / 1000);
  const ttl = Math.ceil(revokedListSeconds(config) - elapsed);
  if (ttl <= 0 || !Array.isArray(sessionIds)) return; // every access token of these sessions has expired
  await Promise.all(sessionIds.map((id) => infra.kv.set(revokedSessionKey(id), reason, ttl)));
}

/** The `identity-revocations` consumer: applies session revocations to the revoked-session list. */
export const revocationHandlers = (infra: Infra, config: IdentityConfig) => ({
  [SessionRevoked.type]: (event: EventEnvelope<PayloadOf<typeof SessionRevoked>>) => applySessionRevoked(infra, config, event),
});

/** Revokes every active session of `userId`, except `keep` when given. */
export async function revokeAllSessions(ctx: IdentityContext, userId: string, reason: RevokeReason, keep?: string): Promise<number> {
  return inTransaction(ctx, async (tx) => {
    const active = await tx.em.find(SessionEntity, {
      select: { id: true },
      where: { userId, revokedAt: IsNull(), ...(keep ? { id: Not(keep) } : {}) },
    });
    return revokeSessions(
      tx,
      active.map((s) => s.id),
      reason,
    );
  });
}

/** Ends every session of the signed-in user but the current one; answers how many ended. */
export async function revokeMyOtherSessions(ctx: IdentityContext): Promise<number> {
  const identity = requireUser(ctx);
  return revokeAllSessions(ctx, identity.userId, 'USER_REVOKED_OTHERS', identity.sessionId);
}

export async function listMySessions(ctx: IdentityContext): Promise<SessionEntity[]> {
  const { userId } = requireUser(ctx);
  return ctx.em.find(SessionEntity, {
    where: { userId, revokedAt: IsNull(), expiresAt: MoreThan(new Date()) },
    order: { createdAt: 'DESC' },
    take: 100,
  });
}

export async function revokeMySession(ctx: IdentityContext, sessionId: string): Promise<boolean> {
  const { userId } = requireUser(ctx);
  const session = isUuid(sessionId) ? await ctx.em.findOne(SessionEntity, { where: { id: sessionId, userId } }) : null;
  if (!session || session.revokedAt) throw new NotFoundError('Session', sessionId);
  await revokeSessions(ctx, [session.id], 'USER_REVOKED');
  return true;
}
