import { randomUUID } from 'node:crypto';
import {
  BadUserInputError,
  ConflictError,
  RateLimitedError,
  SET_REFRESH_COOKIE_HEADER,
  UnauthenticatedError,
  UserRegistered,
  emitEvent,
  inTransaction,
  normalizeEmail,
  normalizePhone,
  requireText,
  requireUser,
  setResponseHeader,
  uniqueViolation,
  validateAll,
  type Role,
} from '@fashionistar/shared';
import type { IdentityContext } from '../context';
import { CredentialEntity } from '../entities/credential.entity';
import { LoginEventEntity, type LoginOutcome, type StoredLoginReason } from '../entities/login-event.entity';
import { UserEntity } from '../entities/user.entity';
import { checkPasswordStrength, hashPassword, verifyPassword } from './passwords';
import { userById } from '../loaders/user.loaders';
import { endSessionOfRefreshToken, openSession, revokeSessions, rotateRefreshToken } from './session.service';
import { clearPasswordAttempts, hitPasswordAttempt, limitByIp, passwordAttemptKey } from './throttle.service';
import { sha256, signAccessToken } from './tokens';
import { sendEmailVerification, sendPhoneOtp } from './verification.service';

export interface AuthResult {
  accessToken: string;
  /** Null when the token went into the cookie. */
  refreshToken: string | null;
  expiresIn: number;
  user: UserEntity;
}

/** Where a new refresh token goes (the SDL enum `RefreshTokenDelivery`). */
export type RefreshTokenDelivery = 'BODY' | 'COOKIE';

export interface RegisterArgs {
  email?: string | null;
  phone?: string | null;
  password: string;
  firstName: string;
  lastName: string;
  role?: Role | null;
}

const SELF_SERVICE_ROLES: Role[] = ['CUSTOMER', 'VENDOR'];

/** Checks a whole sign-up form, reporting every problem at once (paths `input.*`). */
function validateRegistration(input: RegisterArgs) {
  return validateAll((p) => {
    const email = input.email?.trim() ? (p.check('input.email', () => normalizeEmail(input.email!)) ?? null) : null;
    const phone = input.phone?.trim() ? (p.check('input.phone', () => normalizePhone(input.phone!)) ?? null) : null;
    if (!input.email?.trim() && !input.phone?.trim()) p.add('input.email', 'Give an e-mail address or a phone number.');
    p.check('input.password', () => checkPasswordStrength(input.password));
    const firstName = p.check('input.firstName', () => requireText(input.firstName, 'firstName', 100));
    const lastName = p.check('input.lastName', () => requireText(input.lastName, 'lastName', 100));
    const role = input.role ?? 'CUSTOMER';
    if (!SELF_SERVICE_ROLES.includes(role)) p.add('input.role', 'Sign-up is open to customers and vendors only.');
    return { email, phone, firstName: firstName!, lastName: lastName!, role };
  });
}

export async function register(ctx: IdentityContext, input: RegisterArgs, delivery?: RefreshTokenDelivery | null): Promise<AuthResult> {
  await limitByIp(ctx);
  const { email, phone, firstName, lastName, role } = validateRegistration(input);
  // A taken e-mail or phone answers CONFLICT before any hashing (argon2 is the expensive part),
  // and again once the hash's turn comes; the unique indexes stay the final arbiter below.
  await ensureContactFree(ctx, email, phone);
  const passwordHash = await hashPassword(input.password, () => ensureContactFree(ctx, email, phone));

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
      return issueTokens(tx, user, delivery ?? 'BODY');
    });
  } catch (error) {
    const constraint = uniqueViolation(error);
    if (constraint?.includes('email')) throw new ConflictError(TAKEN_EMAIL, 'input.email');
    if (constraint?.includes('phone')) throw new ConflictError(TAKEN_PHONE, 'input.phone');
    throw error;
  }
}

async function ensureContactFree(ctx: IdentityContext, email: string | null, phone: string | null): Promise<void> {
  const where = [...(email ? [{ email }] : []), ...(phone ? [{ phone }] : [])];
  if (where.length === 0) return;
  const taken = await ctx.em.find(UserEntity, { where, select: { id: true, email: true, phone: true } });
  if (email && taken.some((u) => u.email === email)) throw new ConflictError(TAKEN_EMAIL, 'input.email');
  if (phone && taken.some((u) => u.phone === phone)) throw new ConflictError(TAKEN_PHONE, 'input.phone');
}

const TAKEN_EMAIL = 'An account with this e-mail already exists.';
const TAKEN_PHONE = 'An account with this phone number already exists.';

export interface LoginArgs {
  email?: string | null;
  phone?: string | null;
  password: string;
}

const wrongCredentials = () => new UnauthenticatedError('Wrong e-mail/phone or password.', 'WRONG_CREDENTIALS');

export async function login(ctx: IdentityContext, input: LoginArgs, delivery?: RefreshTokenDelivery | null): Promise<AuthResult> {
  await limitByIp(ctx);
  if (!input.email?.trim() && !input.phone?.trim()) throw new BadUserInputError('Give an e-mail address or a phone number.', 'input.email');
  let identifier: string;
  try {
    identifier = input.email?.trim() ? normalizeEmail(input.email) : normalizePhone(input.phone!);
  } catch (e) {
    // A malformed identifier can't match an account; answer as for wrong credentials.
    if (e instanceof BadUserInputError) throw wrongCredentials();
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
    throw wrongCredentials();
  }
  await clearPasswordAttempts(ctx, key);
  return inTransaction(ctx, async (tx) => {
    await logAttempt(tx, user.id, identifier, 'SUCCESS', null);
    return issueTokens(tx, user, delivery ?? 'BODY');
  });
}

export interface RefreshArgs {
  /** The token presented in the operation; without it, the forwarded cookie's. */
  refreshToken?: string | null;
  /** Where the new token goes; by default where the old one came from. */
  refreshTokenIn?: RefreshTokenDelivery | null;
}

/**
 * Trades a refresh token (the argument, else the cookie) for a new pair. Only the refresh token
 * counts: whatever access token came along (expired, revoked, someone else's) is irrelevant.
 * No per-IP limit here: refresh tokens are 256 random bits, and carrier NATs share IPs.
 * Any reuse of a rotated token ends the session, even a client racing itself, unless the grace
 * window is on: see rotateRefreshToken.
 */
export async function refresh(ctx: IdentityContext, args: RefreshArgs): Promise<AuthResult> {
  const fromCookie = !args.refreshToken && !!ctx.refreshCookie;
  const token = args.refreshToken || ctx.refreshCookie;
  const delivery = args.refreshTokenIn ?? (fromCookie ? 'COOKIE' : 'BODY');
  if (!token) throw new UnauthenticatedError('No refresh token was given. Sign in.', 'SIGN_IN_REQUIRED');
  try {
    const result = await rotateRefreshToken(ctx, token);
    if (result.kind === 'reused') {
      await revokeSessions(ctx, [result.sessionId], 'REFRESH_TOKEN_REUSED');
      ctx.log.warn({ sessionId: result.sessionId }, 'refresh token reuse: session family revoked');
    }
    if (result.kind === 'invalid') throw new UnauthenticatedError('This refresh token is not valid. Sign in again.', 'TOKEN_INVALID');
    if (result.kind === 'ended' || result.kind === 'reused') throw sessionEnded();
    const user = result.kind === 'ok' ? result.user : await userById(ctx).load(result.pair.userId);
    if (!user || user.deletedAt) throw sessionEnded();
    ctx.signedInNow.add(user.id);
    const { pair } = result;
    return deliver(ctx, { accessToken: pair.accessToken, user }, pair.refreshToken, new Date(pair.sessionExpiresAt), delivery, fromCookie);
  } catch (error) {
    // A cookie whose token failed is dead: drop it, so the browser stops sending it (an internal
    // failure says nothing about the token, so the cookie stays).
    if ((fromCookie || delivery === 'COOKIE') && error instanceof UnauthenticatedError) clearRefreshCookie(ctx);
    throw error;
  }
}

const sessionEnded = () => new UnauthenticatedError('This session has ended. Sign in again.', 'SESSION_ENDED');

/**
 * Ends a session: the refresh token's (argument, else cookie), else the access token's. A refresh
 * token proves the session only by its stored hash; one that is unknown, or whose session has
 * ended already, ends nothing and still answers true. The cookie is cleared whatever happens.
 */
export async function logout(ctx: IdentityContext, refreshToken?: string | null): Promise<boolean> {
  clearRefreshCookie(ctx);
  const token = refreshToken || ctx.refreshCookie;
  if (token) {
    await endSessionOfRefreshToken(ctx, token);
    return true;
  }
  const identity = requireUser(ctx);
  await revokeSessions(ctx, [identity.sessionId], 'LOGOUT');
  return true;
}

/** Asks the router to drop the browser's refresh-token cookie. */
function clearRefreshCookie(ctx: IdentityContext): void {
  setResponseHeader(ctx, SET_REFRESH_COOKIE_HEADER, '');
}

/**
 * The answer of a sign-in, sign-up or refresh: the refresh token in the body, or in the cookie
 * (max-age = what is left of the session) with a null in the body. A BODY answer to a refresh
 * whose token came from the cookie clears the cookie, which now holds a used token.
 */
function deliver(
  ctx: IdentityContext,
  signed: { accessToken: string; user: UserEntity },
  refreshToken: string,
  sessionExpiresAt: Date,
  delivery: RefreshTokenDelivery,
  cookieWasUsed = false,
): AuthResult {
  const result = { ...signed, expiresIn: ctx.deps.config.ACCESS_TOKEN_TTL_SECONDS };
  if (delivery === 'BODY') {
    if (cookieWasUsed) clearRefreshCookie(ctx);
    return { ...result, refreshToken };
  }
  const maxAge = Math.max(1, Math.floor((sessionExpiresAt.getTime() - Date.now()) / 1000));
  setResponseHeader(ctx, SET_REFRESH_COOKIE_HEADER, `${refreshToken};${maxAge}`);
  return { ...result, refreshToken: null };
}

async function issueTokens(ctx: IdentityContext, user: UserEntity, delivery: RefreshTokenDelivery): Promise<AuthResult> {
  ctx.signedInNow.add(user.id);
  const { session, refreshToken } = await openSession(ctx, user.id);
  return deliver(
    ctx,
    { accessToken: signAccessToken(ctx, user.id, user.roles, session.id), user },
    refreshToken,
    session.expiresAt,
    delivery,
  );
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
  reason: StoredLoginReason | null,
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
