import argon2 from 'argon2';
import { BadUserInputError, RateLimitedError } from '@fashionistar/shared';

/**
 * argon2 runs on libuv's thread pool (4 threads by default), so hashes beyond four wait there, in
 * no order and unbounded: under 200 simultaneous sign-ups the last ones waited past the router's
 * timeout. Here at most HASH_RUNNING hash or verify at once and at most HASH_WAITING wait for a
 * turn; beyond that the caller is answered RATE_LIMITED at once (retry in a second or two).
 */
export const HASH_RUNNING = 4;
export const HASH_WAITING = 64;
let running = 0;
const waiting: Array<() => void> = [];

async function inHashSlot<T>(fn: () => Promise<T>): Promise<T> {
  if (running >= HASH_RUNNING) {
    if (waiting.length >= HASH_WAITING) throw new RateLimitedError(2, 'Too many sign-ins at this moment. Try again in a few seconds.');
    await new Promise<void>((resolve) => waiting.push(resolve));
  } else running++;
  try {
    return await fn();
  } finally {
    // The slot passes straight to the next waiter (running stays the same), else it is freed.
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}

/**
 * argon2id with the library defaults (64 MiB, 3 passes): ~50 ms per hash here. `beforeHash` runs
 * once this call has its turn, just before hashing: a sign-up re-checks there that its e-mail is
 * still free, so a crowd with one address does not hash a password per request.
 */
export function hashPassword(password: string, beforeHash?: () => Promise<void>): Promise<string> {
  return inHashSlot(async () => {
    await beforeHash?.();
    return argon2.hash(password, { type: argon2.argon2id });
  });
}

// Verified against when the account does not exist, so a miss costs as long as a wrong password.
let dummyHash: Promise<string> | null = null;

export async function verifyPassword(hash: string | null | undefined, password: string): Promise<boolean> {
  if (!hash) {
    dummyHash ??= argon2.hash('not-a-real-password-0', { type: argon2.argon2id });
    const dummy = await dummyHash;
    await inHashSlot(() => argon2.verify(dummy, password).catch(() => false));
    return false;
  }
  return inHashSlot(() => argon2.verify(hash, password).catch(() => false));
}

/** At least 8 characters (at most 128), with a letter and a digit. */
export function checkPasswordStrength(password: string, field = 'password'): void {
  if (password.length < 8) throw new BadUserInputError('Use at least 8 characters.', field);
  if (password.length > 128) throw new BadUserInputError('Use at most 128 characters.', field);
  if (!/[A-Za-z]/.test(password) || !/\d/.test(password)) throw new BadUserInputError('Use at least one letter and one digit.', field);
}
