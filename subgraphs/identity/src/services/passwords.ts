import argon2 from 'argon2';
import { BadUserInputError } from '@fashionistar/shared';

/** argon2id with the library defaults (64 MiB, 3 passes): ~50 ms per hash here. */
export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, { type: argon2.argon2id });
}

// Verified against when the account does not exist, so a miss costs as long as a wrong password.
let dummyHash: Promise<string> | null = null;

export async function verifyPassword(hash: string | null | undefined, password: string): Promise<boolean> {
  if (!hash) {
    dummyHash ??= hashPassword('not-a-real-password-0');
    await argon2.verify(await dummyHash, password).catch(() => false);
    return false;
  }
  return argon2.verify(hash, password).catch(() => false);
}

/** At least 8 characters (at most 128), with a letter and a digit. */
export function checkPasswordStrength(password: string, field = 'password'): void {
  if (password.length < 8) throw new BadUserInputError('Use at least 8 characters.', field);
  if (password.length > 128) throw new BadUserInputError('Use at most 128 characters.', field);
  if (!/[A-Za-z]/.test(password) || !/\d/.test(password)) throw new BadUserInputError('Use at least one letter and one digit.', field);
}
