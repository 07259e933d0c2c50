import { randomUUID } from 'node:crypto';
import { In, IsNull, MoreThan, Not } from 'typeorm';
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
import { opaqueToken, sha256 } from './tokens';

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

export type RotateResult =
  { kind: 'ok'; session: SessionEntity; refreshToken: string } | { kind: 'invalid' } | { kind: 'reused'; sessionId: string };

/**
 * Rotates a refresh token. The token row is locked, so two concurrent refreshes with the same
 * token cannot both succeed; a token already rotated is reuse, and the caller must revoke its
 * session after this transaction (the revocation must commit even though the call fails).
 *
 * There is deliberately no grace window for a token rotated a moment ago: an attacker replaying
 * a stolen token right after the victim refreshed looks exactly like a client racing itself, so
 * any reuse ends the session. Clients must therefore keep at most one refresh in flight per
 * session (serialize refreshes, share the pending one between tabs/requests).
 */
export async function rotateRefreshToken(ctx: IdentityContext, token: string): Promise<RotateResult> {
  return inTransaction(ctx, async (tx) => {
    const row = await tx.em.findOne(RefreshTokenEntity, {
      where: { tokenHash: sha256(token) },
      lock: { mode: 'pessimistic_write' },
    });
    if (!row) return { kind: 'invalid' };
    const session = await tx.em.findOne(SessionEntity, { where: { id: row.sessionId } });
    if (!session || session.revokedAt || session.expiresAt <= new Date()) return { kind: 'invalid' };
    if (row.usedAt) return { kind: 'reused', sessionId: session.id };
    await tx.em.update(RefreshTokenEntity, { id: row.id }, { usedAt: new Date() });
    await tx.em.update(SessionEntity, { id: session.id }, { lastUsedAt: new Date(), ipAddress: tx.clientIp ?? session.ipAddress });
    const refreshToken = await issueRefreshToken(tx, session.id);
    return { kind: 'ok', session, refreshToken };
  });
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
export async function revokeSessions(ctx: IdentityContext, sessionIds: string[], reason: string): Promise<number> {
  if (sessionIds.length === 0) return 0;
  return inTransaction(ctx, async (tx) => {
    const result = await tx.em
      .createQueryBuilder()
      .update(SessionEntity)
      .set({ revokedAt: () => 'now()', revokeReason: reason })
      .where('id IN (:...ids) AND revoked_at IS NULL', { ids: sessionIds })
      .execute();
    const rows = await tx.em.find(SessionEntity, { select: { id: true, userId: true }, where: { id: In(sessionIds) } });
    if (rows.length === 0) return 0;
    const ids = rows.map((s) => s.id);
    await emitEvent(tx, SessionRevoked, { sessionIds: ids, reason });
    const ttl = revokedListSeconds(tx.deps.config);
    const at = new Date().toISOString();
    // After commit only: a rolled-back revocation must not lock anyone out.
    tx.afterCommit.push(async () => {
      await Promise.all(ids.map((id) => tx.infra.kv.set(revokedSessionKey(id), reason, ttl)));
      await Promise.all(
        rows.map((s) => tx.infra.pubsub.publish(sessionTopic(s.userId), { sessionId: s.id, userId: s.userId, reason, at })),
      );
    });
    return result.affected ?? 0;
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
export async function revokeAllSessions(ctx: IdentityContext, userId: string, reason: string, keep?: string): Promise<number> {
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
