import { randomUUID } from 'node:crypto';
import { In, IsNull, MoreThan, Not } from 'typeorm';
import { NotFoundError, inTransaction, isUuid, requireUser } from '@fashionistar/shared';
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
 * revocation right after the subscription starts is not missed.
 */
export async function watchMySession(ctx: IdentityContext): Promise<AsyncIterable<{ sessionRevoked: SessionRevocationEvent }>> {
  const identity = requireUser(ctx);
  const events = ctx.infra.pubsub.subscribe(sessionTopic(identity.userId));
  await events.ready;
  return (async function* () {
    try {
      for await (const e of events) {
        const revocation = e as SessionRevocationEvent;
        if (revocation.sessionId === identity.sessionId) yield { sessionRevoked: revocation };
      }
    } finally {
      await events.return?.();
    }
  })();
}

/** Key of the revoked-session list the router checks on every request. */
export const revokedSessionKey = (sessionId: string) => `revoked-session:${sessionId}`;

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

/**
 * Ends sessions: marks them revoked and puts them on the revoked-session list for as long as an
 * access token of theirs can live, so the router refuses those tokens within seconds.
 */
export async function revokeSessions(ctx: IdentityContext, sessionIds: string[], reason: string): Promise<number> {
  if (sessionIds.length === 0) return 0;
  const result = await ctx.em
    .createQueryBuilder()
    .update(SessionEntity)
    .set({ revokedAt: () => 'now()', revokeReason: reason })
    .where('id IN (:...ids) AND revoked_at IS NULL', { ids: sessionIds })
    .execute();
  const ttl = ctx.deps.config.ACCESS_TOKEN_TTL_SECONDS + 60;
  const rows = await ctx.em.find(SessionEntity, { select: { id: true, userId: true }, where: { id: In(sessionIds) } });
  const at = new Date().toISOString();
  const publish = async () => {
    await Promise.all(sessionIds.map((id) => ctx.infra.kv.set(revokedSessionKey(id), reason, ttl)));
    await Promise.all(rows.map((s) => ctx.infra.pubsub.publish(sessionTopic(s.userId), { sessionId: s.id, userId: s.userId, reason, at })));
  };
  // Publish after commit when in a transaction: a rolled-back revocation must not lock anyone out.
  if (ctx.em.queryRunner?.isTransactionActive) ctx.afterCommit.push(publish);
  else await publish();
  return result.affected ?? 0;
}

/** Revokes every active session of `userId`, except `keep` when given. */
export async function revokeAllSessions(ctx: IdentityContext, userId: string, reason: string, keep?: string): Promise<number> {
  const active = await ctx.em.find(SessionEntity, {
    select: { id: true },
    where: { userId, revokedAt: IsNull(), ...(keep ? { id: Not(keep) } : {}) },
  });
  return revokeSessions(
    ctx,
    active.map((s) => s.id),
    reason,
  );
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
