import { forgetRecipient, inTransaction } from '@fashionistar/shared';
import type { IdentityContext } from '../context';
import { PhoneOtpEntity, VerificationTokenEntity } from '../entities/verification.entity';
import { sha256 } from './tokens';

/**
 * What account deletion erases in identity besides the user row (NDPA 2023, erasure on request).
 *
 * Kept, and why:
 * - the `app_user` row itself (id, roles, dates, "Deleted user"): orders and reviews elsewhere
 *   reference the id; with every contact detail gone it identifies nobody.
 * - `session` and `refresh_token` rows without IP address or user agent: the revoked-session list
 *   and refresh-token theft detection need them; hashes and dates only.
 * - `login_event` rows without identifier, IP address or user agent: outcomes and times still
 *   count towards abuse statistics, and no field points at the person any more.
 * - `outbound_message` rows with recipient, subject and body erased: delivery counts per template.
 * - `outbox_event` payloads: identity's events carry ids and roles only, never contact details.
 */

/** The addresses (e-mail and E.164 phone) identity ever sent the user something at. */
async function addressesOf(tx: IdentityContext, userId: string): Promise<string[]> {
  const rows: Array<{ address: string }> = await tx.em.query(
    `SELECT email AS address FROM app_user WHERE id = $1 AND email IS NOT NULL
     UNION SELECT phone FROM app_user WHERE id = $1 AND phone IS NOT NULL
     UNION SELECT target FROM verification_token WHERE user_id = $1
     UNION SELECT phone FROM phone_otp WHERE user_id = $1`,
    [userId],
  );
  // A pending change target (or a former address) may belong to another account by now: its
  // messages are that person's, not ours to erase.
  const taken: Array<{ address: string }> = await tx.em.query(
    `SELECT email AS address FROM app_user WHERE id <> $1 AND email = ANY($2)
     UNION SELECT phone FROM app_user WHERE id <> $1 AND phone = ANY($2)`,
    [userId, rows.map((r) => r.address)],
  );
  const others = new Set(taken.map((t) => t.address));
  return rows.map((r) => r.address).filter((a) => !others.has(a));
}

/**
 * Erases the messages sent to the user's addresses (current ones, former ones and any pending
 * change target), in a transaction of its own that commits before the account row forgets those
 * addresses: should the deletion fail after it, a retry still finds them.
 */
export async function forgetMessagesOf(ctx: IdentityContext, userId: string): Promise<void> {
  await inTransaction(ctx, async (tx) => {
    for (const address of await addressesOf(tx, userId)) await forgetRecipient(tx.em, address);
  });
}

/**
 * In the deletion's transaction, before the user row is blanked: drops every link token and SMS
 * code of the user (a deleted account has nothing to verify, and an old link then finds no row,
 * which refuses it as surely as a used one would), and blanks the sign-in trail. Failed attempts
 * with one of the user's addresses but no account (before sign-up, a typo) are blanked too: their
 * identifier is the SHA-256 of the address, which anyone holding the address can recompute.
 */
export async function eraseVerificationAndTrail(tx: IdentityContext, userId: string): Promise<void> {
  const hashes = (await addressesOf(tx, userId)).map((a) => sha256(a));
  await tx.em.delete(VerificationTokenEntity, { userId });
  await tx.em.delete(PhoneOtpEntity, { userId });
  // login_event is append-only; the trigger lets this one kind of update through (blanking who and
  // where, nothing else) only when the transaction declares an erasure.
  await tx.em.query(`SELECT set_config('identity.erasure', 'on', true)`);
  await tx.em.query(
    `UPDATE login_event SET identifier = 'erased', ip_address = NULL, user_agent = NULL
      WHERE (user_id = $1 OR identifier = ANY($2)) AND identifier <> 'erased'`,
    [userId, hashes],
  );
  await tx.em.query(`SELECT set_config('identity.erasure', 'off', true)`);
}
