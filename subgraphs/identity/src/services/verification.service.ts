import { randomUUID } from 'node:crypto';
import { IsNull, In } from 'typeorm';
import {
  BadUserInputError,
  ConflictError,
  RateLimitedError,
  UnauthenticatedError,
  inTransaction,
  normalizeEmail,
  normalizePhone,
  queueMessage,
  requireUser,
  Problems,
  uniqueViolation,
  validateAll,
} from '@fashionistar/shared';
import { SOURCE, type IdentityContext } from '../context';
import { CredentialEntity } from '../entities/credential.entity';
import { UserEntity } from '../entities/user.entity';
import { PhoneOtpEntity, VerificationTokenEntity, type OtpPurpose, type TokenPurpose } from '../entities/verification.entity';
import { checkPasswordStrength, hashPassword, verifyPassword } from './passwords';
import { revokeAllSessions } from './session.service';
import {
  ACCOUNT_LOCKED_MESSAGE,
  allowSendTo,
  clearPasswordAttempts,
  hitPasswordAttempt,
  limitByIp,
  passwordAttemptKey,
} from './throttle.service';
import { hmacSha256, opaqueToken, sameDigest, sha256, sixDigitCode } from './tokens';

const TOKEN_TTL_MS: Record<TokenPurpose, number> = {
  VERIFY_EMAIL: 24 * 3600_000,
  CHANGE_EMAIL: 24 * 3600_000,
  PASSWORD_RESET: 3600_000,
};

const EMAIL_TEXT: Record<TokenPurpose, { subject: string; path: string; lead: string }> = {
  VERIFY_EMAIL: { subject: 'Confirm your e-mail address', path: 'verify-email', lead: 'Confirm your e-mail address for Fashionistar:' },
  CHANGE_EMAIL: {
    subject: 'Confirm your new e-mail address',
    path: 'verify-email',
    lead: 'Confirm your new e-mail address for Fashionistar:',
  },
  PASSWORD_RESET: { subject: 'Reset your password', path: 'reset-password', lead: 'Reset your Fashionistar password:' },
};

/** Stores a hashed single-use token and queues the e-mail carrying it (in the caller's transaction). */
export async function sendEmailVerification(ctx: IdentityContext, user: UserEntity, email: string, purpose: TokenPurpose): Promise<void> {
  const { token, hash } = opaqueToken();
  const ttl = TOKEN_TTL_MS[purpose];
  // A new link supersedes older unused ones of the same purpose.
  await ctx.em.update(VerificationTokenEntity, { userId: user.id, purpose, usedAt: IsNull() }, { usedAt: new Date() });
  await ctx.em.insert(VerificationTokenEntity, {
    id: randomUUID(),
    userId: user.id,
    purpose,
    tokenHash: hash,
    target: email,
    expiresAt: new Date(Date.now() + ttl),
    usedAt: null,
  });
  const text = EMAIL_TEXT[purpose];
  const link = `${ctx.deps.config.APP_URL}/${text.path}?token=${token}`;
  await queueMessage(ctx, SOURCE, {
    channel: 'EMAIL',
    to: email,
    subject: text.subject,
    body: `Hello ${user.firstName ?? ''},\n\n${text.lead}\n${link}\n\nThe link works once and expires in ${ttl / 3600_000} hour(s).\nToken: ${token}\n`,
    template: purpose.toLowerCase().replace('_', '-'),
  });
}

/**
 * Sends a 6-digit code by SMS. Limited per phone (a burst of resends is refused with
 * RATE_LIMITED); older unused codes of the same purpose stop working. The code is stored as
 * HMAC-SHA256(IDENTITY_SECRET, `${id}:${code}`): a plain hash of one of a million codes is undone
 * by trying them all, so a leaked row must be useless without the server's key.
 */
export async function sendPhoneOtp(ctx: IdentityContext, userId: string, phone: string, purpose: OtpPurpose): Promise<void> {
  const { OTP_SENDS_PER_WINDOW, OTP_SEND_WINDOW_SECONDS, OTP_TTL_SECONDS } = ctx.deps.config;
  const sent = await ctx.infra.kv.hit(`throttle:otp-send:${phone}`, OTP_SENDS_PER_WINDOW, OTP_SEND_WINDOW_SECONDS);
  if (!sent.allowed) throw new RateLimitedError(sent.retryAfterSeconds, 'Too many codes sent to this number. Try again later.');
  const code = sixDigitCode();
  const id = randomUUID();
  await ctx.em.update(PhoneOtpEntity, { userId, purpose, consumedAt: IsNull() }, { consumedAt: new Date() });
  await ctx.em.insert(PhoneOtpEntity, {
    id,
    userId,
    phone,
    purpose,
    codeHash: otpHash(ctx, id, code),
    attempts: 0,
    expiresAt: new Date(Date.now() + OTP_TTL_SECONDS * 1000),
    consumedAt: null,
  });
  await queueMessage(ctx, SOURCE, {
    channel: 'SMS',
    to: phone,
    body: `Your Fashionistar code is ${code}. It expires in ${Math.round(OTP_TTL_SECONDS / 60)} minutes. Never share it.`,
    template: purpose === 'PASSWORD_RESET' ? 'password-reset-otp' : 'phone-otp',
  });
}

const otpHash = (ctx: IdentityContext, id: string, code: string) => hmacSha256(ctx.deps.config.IDENTITY_SECRET, `${id}:${code}`);

/** `field`: the path of the code or token in the operation's arguments. */
const invalidCode = (field = 'code') => new BadUserInputError('The code is wrong or has expired. Ask for a new one.', field);
const invalidLink = (field = 'token') => new BadUserInputError('This link is invalid or has expired. Ask for a new one.', field);

/**
 * Checks a code against the user's newest live code of the given purposes, without consuming it
 * (claimOtp does, in the transaction that acts on it). Each check first reserves one attempt
 * atomically (so parallel guesses cannot exceed the limit), outside any transaction so a wrong
 * guess still counts when the call fails.
 */
async function checkOtp(
  ctx: IdentityContext,
  userId: string,
  purposes: OtpPurpose[],
  code: string,
  field = 'code',
): Promise<PhoneOtpEntity> {
  const otp = await ctx.em.findOne(PhoneOtpEntity, {
    where: { userId, purpose: In(purposes), consumedAt: IsNull() },
    order: { createdAt: 'DESC' },
  });
  if (!otp || otp.expiresAt <= new Date()) throw invalidCode(field);
  const reserved = await ctx.em
    .createQueryBuilder()
    .update(PhoneOtpEntity)
    .set({ attempts: () => 'attempts + 1' })
    .where('id = :id AND attempts < :max AND consumed_at IS NULL', { id: otp.id, max: ctx.deps.config.OTP_MAX_ATTEMPTS })
    .execute();
  if (!reserved.affected) throw invalidCode(field);
  if (!/^\d{6}$/.test(code) || !sameDigest(otpHash(ctx, otp.id, code), otp.codeHash)) throw invalidCode(field);
  return otp;
}

/** Marks a checked code used, in the caller's transaction; a code claimed meanwhile is refused. */
async function claimOtp(tx: IdentityContext, otp: PhoneOtpEntity, field = 'code'): Promise<void> {
  const claimed = await tx.em.update(PhoneOtpEntity, { id: otp.id, consumedAt: IsNull() }, { consumedAt: new Date() });
  if (!claimed.affected) throw invalidCode(field);
}

/**
 * Locks the user row for the rest of the transaction. Writes that touch the user and its codes
 * or credential lock the user first (account deletion updates it first), so they cannot deadlock.
 */
async function lockUser(tx: IdentityContext, userId: string): Promise<UserEntity | null> {
  return tx.em.findOne(UserEntity, { where: { id: userId }, lock: { mode: 'pessimistic_write' } });
}

/** Kills every outstanding link token and SMS code of the user (account deletion, change of e-mail). */
export async function expireOutstandingCodes(tx: IdentityContext, userId: string): Promise<void> {
  const now = new Date();
  await tx.em.update(VerificationTokenEntity, { userId, usedAt: IsNull() }, { usedAt: now });
  await tx.em.update(PhoneOtpEntity, { userId, consumedAt: IsNull() }, { consumedAt: now });
}

/**
 * Finds the live link token of one of `purposes` and locks it, after locking its user. Refuses
 * (invalid link) a token that is unknown, used or expired, and one of a deleted account.
 */
async function claimLinkToken(
  tx: IdentityContext,
  token: string,
  purposes: TokenPurpose[],
  field = 'token',
): Promise<{ row: VerificationTokenEntity; user: UserEntity }> {
  const hash = sha256(token);
  const found = await tx.em.findOne(VerificationTokenEntity, {
    select: { id: true, userId: true },
    where: { tokenHash: hash, purpose: In(purposes) },
  });
  if (!found) throw invalidLink(field);
  const user = await lockUser(tx, found.userId);
  const row = await tx.em.findOne(VerificationTokenEntity, { where: { id: found.id }, lock: { mode: 'pessimistic_write' } });
  if (!user || user.deletedAt || !row || row.usedAt || row.expiresAt <= new Date()) throw invalidLink(field);
  await tx.em.update(VerificationTokenEntity, { id: row.id }, { usedAt: new Date() });
  return { row, user };
}

export async function requestEmailVerification(ctx: IdentityContext): Promise<boolean> {
  const { userId } = requireUser(ctx);
  await limitByIp(ctx);
  return inTransaction(ctx, async (tx) => {
    const user = await tx.em.findOneOrFail(UserEntity, { where: { id: userId } });
    // No argument is at fault: the account itself lacks the address.
    if (!user.email) throw new BadUserInputError('This account has no e-mail address.');
    if (user.emailVerifiedAt) return true;
    await sendEmailVerification(tx, user, user.email, 'VERIFY_EMAIL');
    return true;
  });
}

/**
 * Confirms an e-mail (or a change of e-mail) with a link token. A VERIFY_EMAIL link only confirms
 * the address it was sent to while that is still the account's address; a completed change of
 * e-mail kills every other outstanding link and code of the account.
 */
export async function verifyEmail(ctx: IdentityContext, token: string): Promise<boolean> {
  await limitByIp(ctx);
  try {
    return await inTransaction(ctx, async (tx) => {
      const { row, user } = await claimLinkToken(tx, token, ['VERIFY_EMAIL', 'CHANGE_EMAIL']);
      if (row.purpose === 'VERIFY_EMAIL') {
        if (row.target !== user.email) throw invalidLink();
        await tx.em.update(UserEntity, { id: user.id }, { emailVerifiedAt: new Date() });
        return true;
      }
      await tx.em.update(UserEntity, { id: user.id }, { email: row.target, emailVerifiedAt: new Date() });
      await expireOutstandingCodes(tx, user.id);
      return true;
    });
  } catch (error) {
    if (uniqueViolation(error)) throw new ConflictError('Another account now uses this e-mail address.', 'email');
    throw error;
  }
}

export async function requestPhoneVerification(ctx: IdentityContext): Promise<boolean> {
  const { userId } = requireUser(ctx);
  await limitByIp(ctx);
  return inTransaction(ctx, async (tx) => {
    const user = await tx.em.findOneOrFail(UserEntity, { where: { id: userId } });
    const pending = await tx.em.findOne(PhoneOtpEntity, {
      where: { userId, purpose: 'CHANGE_PHONE', consumedAt: IsNull() },
      order: { createdAt: 'DESC' },
    });
    if (pending && pending.expiresAt > new Date()) {
      await sendPhoneOtp(tx, userId, pending.phone, 'CHANGE_PHONE');
      return true;
    }
    if (!user.phone) throw new BadUserInputError('This account has no phone number.');
    if (user.phoneVerifiedAt) return true;
    await sendPhoneOtp(tx, userId, user.phone, 'VERIFY_PHONE');
    return true;
  });
}

export async function verifyPhone(ctx: IdentityContext, code: string): Promise<UserEntity> {
  const { userId } = requireUser(ctx);
  await limitByIp(ctx);
  const otp = await checkOtp(ctx, userId, ['VERIFY_PHONE', 'CHANGE_PHONE'], code.trim());
  try {
    await inTransaction(ctx, async (tx) => {
      const user = await lockUser(tx, userId);
      if (!user || user.deletedAt) throw invalidCode();
      await claimOtp(tx, otp);
      await tx.em.update(UserEntity, { id: userId }, { phone: otp.phone, phoneVerifiedAt: new Date() });
    });
  } catch (error) {
    if (uniqueViolation(error)) throw new ConflictError('Another account now uses this phone number.', 'phone');
    throw error;
  }
  return ctx.em.findOneOrFail(UserEntity, { where: { id: userId } });
}

/**
 * Always true, whether or not the account exists, so the answer tells nobody who has one. Each
 * e-mail or phone gets at most OTP_SENDS_PER_WINDOW requests per window, counted before the
 * account is looked up; past that nothing is sent, and the answer is still true.
 */
export async function requestPasswordReset(
  ctx: IdentityContext,
  input: { email?: string | null; phone?: string | null },
): Promise<boolean> {
  await limitByIp(ctx);
  const email = input.email?.trim() ? normalizeEmail(input.email, 'input.email') : null;
  const phone = !email && input.phone?.trim() ? normalizePhone(input.phone, 'input.phone') : null;
  if (!email && !phone) throw new BadUserInputError('Give an e-mail address or a phone number.', 'input.email');
  if (!(await allowSendTo(ctx, 'password-reset', (email ?? phone)!))) return true;
  const user = await ctx.em.findOne(UserEntity, { where: email ? { email } : { phone: phone! } });
  if (!user || user.deletedAt) return true;
  try {
    await inTransaction(ctx, async (tx) => {
      if (email) await sendEmailVerification(tx, user, email, 'PASSWORD_RESET');
      else await sendPhoneOtp(tx, user.id, phone!, 'PASSWORD_RESET');
    });
  } catch (error) {
    // The per-phone SMS limit (shared with verification codes) must not tell an account apart.
    if (error instanceof RateLimitedError) return true;
    throw error;
  }
  return true;
}

export interface ResetArgs {
  token?: string | null;
  phone?: string | null;
  code?: string | null;
  newPassword: string;
}

/**
 * Sets a new password from a reset token or SMS code and ends every session of the account. The
 * token or code is used up in the same transaction as the new password and the revocations, so
 * a failure leaves it usable (only a code's attempt counter is kept, outside).
 */
export async function resetPassword(ctx: IdentityContext, input: ResetArgs): Promise<boolean> {
  await limitByIp(ctx);
  validateAll((p) => {
    p.check('input.newPassword', () => checkPasswordStrength(input.newPassword));
    if (!input.token) {
      if (!input.phone?.trim() && !input.code?.trim()) p.add('input.token', 'Give the reset token, or the phone and its code.');
      else if (!input.phone?.trim()) p.add('input.phone', 'Give the phone the code was sent to.');
      else if (!input.code?.trim()) p.add('input.code', 'Give the code sent to the phone.');
      else p.check('input.phone', () => normalizePhone(input.phone!));
    }
  });
  let userId: string;
  if (input.token) {
    const token = input.token;
    const hash = await hashPassword(input.newPassword);
    userId = await inTransaction(ctx, async (tx) => {
      const { user } = await claimLinkToken(tx, token, ['PASSWORD_RESET'], 'input.token');
      await setPasswordAndEndSessions(tx, user.id, hash);
      return user.id;
    });
  } else {
    const user = await ctx.em.findOne(UserEntity, { where: { phone: normalizePhone(input.phone!) } });
    if (!user) throw invalidCode('input.code');
    const otp = await checkOtp(ctx, user.id, ['PASSWORD_RESET'], input.code!.trim(), 'input.code');
    const hash = await hashPassword(input.newPassword);
    userId = user.id;
    await inTransaction(ctx, async (tx) => {
      const locked = await lockUser(tx, user.id);
      if (!locked || locked.deletedAt) throw invalidCode('input.code');
      await claimOtp(tx, otp, 'input.code');
      await setPasswordAndEndSessions(tx, user.id, hash);
    });
  }
  // Whoever proved they own the account gets a fresh sign-in budget.
  await clearPasswordAttempts(ctx, passwordAttemptKey(userId));
  return true;
}

async function setPasswordAndEndSessions(tx: IdentityContext, userId: string, hash: string): Promise<void> {
  await tx.em.update(CredentialEntity, { userId, kind: 'PASSWORD' }, { secret: hash });
  await revokeAllSessions(tx, userId, 'PASSWORD_RESET');
}

/**
 * Checks the password of an account under the per-account attempt limit it shares with sign-in:
 * the attempt is counted before the check, RATE_LIMITED past LOGIN_FAILURE_LIMIT, and the right
 * password clears the count. A wrong one is BAD_USER_INPUT on `field`.
 */
export async function checkAccountPassword(
  ctx: IdentityContext,
  userId: string,
  password: string,
  field: string,
  message = 'The current password is wrong.',
): Promise<void> {
  const key = passwordAttemptKey(userId);
  const attempt = await hitPasswordAttempt(ctx, key);
  if (!attempt.allowed) throw new RateLimitedError(Math.max(1, attempt.retryAfterSeconds), ACCOUNT_LOCKED_MESSAGE);
  const cred = await ctx.em.findOne(CredentialEntity, { where: { userId, kind: 'PASSWORD' } });
  if (!(await verifyPassword(cred?.secret, password))) throw new BadUserInputError(message, field);
  await clearPasswordAttempts(ctx, key);
}

/** checkAccountPassword, recording a wrong password in `p` instead of throwing (RATE_LIMITED still throws). */
async function checkAccountPasswordInto(p: Problems, ctx: IdentityContext, userId: string, password: string, field: string): Promise<void> {
  try {
    await checkAccountPassword(ctx, userId, password, field);
  } catch (error) {
    if (!(error instanceof BadUserInputError)) throw error;
    p.add(field, error.message);
  }
}

/** Changes the password and ends every other session of the user. Both arguments are checked before answering. */
export async function changePassword(ctx: IdentityContext, currentPassword: string, newPassword: string): Promise<boolean> {
  const identity = requireUser(ctx);
  await limitByIp(ctx);
  const p = new Problems();
  await checkAccountPasswordInto(p, ctx, identity.userId, currentPassword, 'currentPassword');
  p.check('newPassword', () => checkPasswordStrength(newPassword, 'newPassword'));
  p.throwIfAny();
  const hash = await hashPassword(newPassword);
  await inTransaction(ctx, async (tx) => {
    await tx.em.update(CredentialEntity, { userId: identity.userId, kind: 'PASSWORD' }, { secret: hash });
    await revokeAllSessions(tx, identity.userId, 'PASSWORD_CHANGED', identity.sessionId);
  });
  return true;
}

export async function changeEmail(ctx: IdentityContext, newEmail: string, password: string): Promise<boolean> {
  const { userId } = requireUser(ctx);
  await limitByIp(ctx);
  const p = new Problems();
  const email = p.check('newEmail', () => normalizeEmail(newEmail, 'newEmail'))!;
  await checkAccountPasswordInto(p, ctx, userId, password, 'password');
  p.throwIfAny();
  const taken = await ctx.em.exists(UserEntity, { where: { email } });
  if (taken) throw new ConflictError('An account with this e-mail already exists.', 'newEmail');
  await inTransaction(ctx, async (tx) => {
    const user = await tx.em.findOne(UserEntity, { where: { id: userId } });
    if (!user || user.deletedAt) throw new UnauthenticatedError('This account no longer exists. Sign in again.', 'SESSION_ENDED');
    await sendEmailVerification(tx, user, email, 'CHANGE_EMAIL');
  });
  return true;
}

export async function changePhone(ctx: IdentityContext, newPhone: string, password: string): Promise<boolean> {
  const { userId } = requireUser(ctx);
  await limitByIp(ctx);
  const p = new Problems();
  const phone = p.check('newPhone', () => normalizePhone(newPhone, 'newPhone'))!;
  await checkAccountPasswordInto(p, ctx, userId, password, 'password');
  p.throwIfAny();
  const taken = await ctx.em.exists(UserEntity, { where: { phone } });
  if (taken) throw new ConflictError('An account with this phone number already exists.', 'newPhone');
  await inTransaction(ctx, (tx) => sendPhoneOtp(tx, userId, phone, 'CHANGE_PHONE'));
  return true;
}
