import { randomUUID } from 'node:crypto';
import {
  BadUserInputError,
  ConflictError,
  RateLimitedError,
  UnauthenticatedError,
  UserRegistered,
  emitEvent,
  inTransaction,
  normalizeEmail,
  normalizePhone,
  requireText,
  requireUser,
  uniqueViolation,
  type Role,
} from '@fashionistar/shared';
import type { IdentityContext } from '../context';
import { CredentialEntity } from '../entities/credential.entity';
import { LoginEventEntity, type LoginOutcome } from '../entities/login-event.entity';
import { UserEntity } from '../entities/user.entity';
import { checkPasswordStrength, hashPassword, verifyPassword } from './passwords';
import { openSession, revokeSessions, rotateRefreshToken } from './session.service';
import { clearPasswordAttempts, hitPasswordAttempt, limitByIp, passwordAttemptKey } from './throttle.service';
import { sha256, signAccessToken } from './tokens';
import { sendEmailVerification, sendPhoneOtp } from './verification.service';

export interface AuthResult {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  user: UserEntity;
}

export interface RegisterArgs {
  email?: string | null;
  phone?: string | null;
  password: string;
  firstName: string;
  lastName: string;
  role?: Role | null;
}

const SELF_SERVICE_ROLES: Role[] = ['CUSTOMER', 'VENDOR'];

export async function register(ctx: IdentityContext, input: RegisterArgs): Promise<AuthResult> {
  await limitByIp(ctx);
  const email = input.email?.trim() ? normalizeEmail(input.email) : null;
  const phone = input.phone?.trim() ? normalizePhone(input.phone) : null;
  if (!email && !phone) throw new BadUserInputError('Give an e-mail address or a phone number.', 'email');
  const role = input.role ?? 'CUSTOMER';
  if (!SELF_SERVICE_ROLES.includes(role)) throw new BadUserInputError('Sign-up is open to customers and vendors only.', 'role');
  checkPasswordStrength(input.password);
  const firstName = requireText(input.firstName, 'firstName', 100);
  const lastName = requireText(input.lastName, 'lastName', 100);
  const passwordHash = await hashPassword(input.password);

  try {
    return await inTransaction(ctx, async (tx) => {
      const user = tx.em.create(UserEntity, {
        id: randomUUID(),
        email,
        phone,
        firstName,
        lastName,
        roles: [role],
        emailVerifiedAt: null,
        phoneVerifiedAt: null,
        deletedAt: null,
      });
      await tx.em.insert(UserEntity, user);
      await tx.em.insert(CredentialEntity, { id: randomUUID(), userId: user.id, kind: 'PASSWORD', secret: passwordHash, externalId: null });
      if (email) await sendEmailVerification(tx, user, email, 'VERIFY_EMAIL');
      if (phone) await sendPhoneOtp(tx, user.id, phone, 'VERIFY_PHONE');
      // No contact details in events: they outlive the account in other subgraphs' queues and logs.
      await emitEvent(tx, UserRegistered, { userId: user.id, roles: user.roles });
      await logAttempt(tx, user.id, email ?? phone ?? '', 'SUCCESS', 'registered');
      return issueTokens(tx, user);
    });
  } catch (error) {
    const constraint = uniqueViolation(error);
    if (constraint?.includes('email')) throw new ConflictError('An account with this e-mail already exists.', 'email');
    if (constraint?.includes('phone')) throw new ConflictError('An account with this phone number already exists.', 'phone');
    throw error;
  }
}

export interface LoginArgs {
  email?: string | null;
  phone?: string | null;
  password: string;
}

export async function login(ctx: IdentityContext, input: LoginArgs): Promise<AuthResult> {
  await limitByIp(ctx);
  let identifier: string;
  try {
    if (input.email?.trim()) identifier = normalizeEmail(input.email);
    else if (input.phone?.trim()) identifier = normalizePhone(input.phone);
    else throw new BadUserInputError('Give an e-mail address or a phone number.', 'email');
  } catch (e) {
    // A malformed identifier can't match an account; answer as for wrong credentials.
    if (e instanceof BadUserInputError && (input.email || input.phone)) throw new UnauthenticatedError('Wrong e-mail/phone or password.');
    throw e;
  }

  const found = await ctx.em.findOne(UserEntity, {
    where: identifier.includes('@') ? { email: identifier } : { phone: identifier },
  });
  const user = found && !found.deletedAt ? found : null;
  // Count the attempt before the password is checked, so parallel guesses cannot all get in
  // under the limit. One counter per account: its e-mail and its phone share it.
  const key = passwordAttemptKey(user?.id ?? null, identifier);
  const attempt = await hitPasswordAttempt(ctx, key);
  if (!attempt.allowed) {
    await logAttempt(ctx, user?.id ?? null, identifier, 'BLOCKED', 'rate_limited');
    throw new RateLimitedError(Math.max(1, attempt.retryAfterSeconds), 'Too many failed sign-ins on this account. Try again later.');
  }
  const credential = user ? await ctx.em.findOne(CredentialEntity, { where: { userId: user.id, kind: 'PASSWORD' } }) : null;
  const ok = await verifyPassword(credential?.secret, input.password);
  if (!user || !ok) {
    await logAttempt(ctx, user?.id ?? null, identifier, 'FAILURE', user ? 'bad_password' : 'unknown_account');
    throw new UnauthenticatedError('Wrong e-mail/phone or password.');
  }
  await clearPasswordAttempts(ctx, key);
  return inTransaction(ctx, async (tx) => {
    await logAttempt(tx, user.id, identifier, 'SUCCESS', null);
    return issueTokens(tx, user);
  });
}

/**
 * No per-IP limit here: refresh tokens are 256 random bits, and carrier NATs share IPs.
 * Any reuse of a rotated token ends the session, even a client racing itself: see
 * rotateRefreshToken for why clients must keep one refresh in flight per session.
 */
export async function refresh(ctx: IdentityContext, refreshToken: string): Promise<AuthResult> {
  const result = await rotateRefreshToken(ctx, refreshToken);
  if (result.kind === 'reused') {
    await revokeSessions(ctx, [result.sessionId], 'REFRESH_TOKEN_REUSED');
    ctx.log.warn({ sessionId: result.sessionId }, 'refresh token reuse: session family revoked');
  }
  if (result.kind !== 'ok') throw new UnauthenticatedError('This refresh token is not valid. Sign in again.');
  const user = await ctx.em.findOne(UserEntity, { where: { id: result.session.userId } });
  if (!user || user.deletedAt) throw new UnauthenticatedError('This refresh token is not valid. Sign in again.');
  ctx.signedInNow.add(user.id);
  return {
    accessToken: signAccessToken(ctx, user.id, user.roles, result.session.id),
    refreshToken: result.refreshToken,
    expiresIn: ctx.deps.config.ACCESS_TOKEN_TTL_SECONDS,
    user,
  };
}

export async function logout(ctx: IdentityContext): Promise<boolean> {
  const identity = requireUser(ctx);
  await revokeSessions(ctx, [identity.sessionId], 'LOGOUT');
  return true;
}

async function issueTokens(ctx: IdentityContext, user: UserEntity): Promise<AuthResult> {
  ctx.signedInNow.add(user.id);
  const { session, refreshToken } = await openSession(ctx, user.id);
  return {
    accessToken: signAccessToken(ctx, user.id, user.roles, session.id),
    refreshToken,
    expiresIn: ctx.deps.config.ACCESS_TOKEN_TTL_SECONDS,
    user,
  };
}

/**
 * Appends to the login-event trail (the table refuses updates and deletes). The identifier is
 * stored as the SHA-256 of its normalised form, so the trail keeps no contact details.
 */
export async function logAttempt(
  ctx: IdentityContext,
  userId: string | null,
  identifier: string,
  outcome: LoginOutcome,
  reason: string | null,
): Promise<void> {
  await ctx.em.insert(LoginEventEntity, {
    userId,
    identifier: sha256(identifier),
    outcome,
    reason,
    ipAddress: ctx.clientIp,
    userAgent: ctx.userAgent?.slice(0, 500) ?? null,
  });
}
