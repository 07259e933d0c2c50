import { VendorStatusChanged, emitEvent } from '@fashionistar/shared';
import type { VendorsContext } from '../context';
import { VendorMemberEntity, type MemberRole } from '../entities/vendor-member.entity';
import { VendorEntity } from '../entities/vendor.entity';
import { writeAudit } from './audit.service';
import { NEXT_VERSION } from './vendor.service';

/**
 * What vendors erases when a person deletes their account (`identity.user.deleted`, NDPA 2023).
 *
 * - Every membership of the person goes (OWNER and STAFF rows).
 * - A store with no other OWNER is CLOSED for good: its contact e-mail and phone (the owner's, as
 *   far as we can tell) are erased from the row and from its audit entries, and every KYC document
 *   of it loses its URL. A store that other owners keep keeps its contact details: they are the
 *   business's, and the remaining owners answer for them.
 * - KYC documents the person uploaded to any store lose their URL (NIN, BVN letters identify the
 *   uploader); the rows stay, with their verdicts, as the record of what admins checked.
 *
 * Kept, and why: user ids (members in audit `changes`, `actor_id`, `submitted_by`, `reviewer_id`).
 * Identity keeps only an anonymous row under that id ("Deleted user", no contact details), so the
 * id now points at nobody; it stays because the append-only audit must still tell which changes
 * the same (unknown) actor made, and orders and payouts will reference it for accounting.
 * The store's name, description and logo are business content shown on past orders: kept.
 */

/** A change no request made: no caller (audit actor null = the system). */
export type SystemContext = Pick<VendorsContext, 'em' | 'identity' | 'afterCommit'>;

/** What an erased value becomes in audit entries (null values stay null: nothing to erase). */
const ERASED = '(erased)';
const PERSONAL_AUDIT_FIELDS = ['contactEmail', 'contactPhone'];

/**
 * Applies a user's deletion, in the consumer's transaction. Idempotent: it works from the user's
 * memberships, which it removes, so a second run (or a redelivery under another event id) finds
 * nothing to do; every store row it changes is locked first, in id order.
 */
export async function eraseMember(tx: SystemContext, userId: string): Promise<void> {
  const memberships: Array<{ vendor_id: string; role: MemberRole }> = await tx.em.query(
    `SELECT vendor_id, role FROM vendor_member WHERE user_id = $1 ORDER BY vendor_id`,
    [userId],
  );
  for (const m of memberships) {
    const vendor = await tx.em.findOneOrFail(VendorEntity, { where: { id: m.vendor_id }, lock: { mode: 'pessimistic_write' } });
    const [others]: Array<{ owners: number }> = await tx.em.query(
      `SELECT count(*)::int AS owners FROM vendor_member WHERE vendor_id = $1 AND user_id <> $2 AND role = 'OWNER'`,
      [vendor.id, userId],
    );
    await tx.em.delete(VendorMemberEntity, { vendorId: vendor.id, userId });
    await writeAudit(tx, vendor.id, 'member.erased', { [`members.${userId}.role`]: { from: m.role, to: null } });
    if (m.role === 'OWNER' && others!.owners === 0) await closeStore(tx, vendor);
  }
  await tx.em.query(`UPDATE kyc_submission SET document_url = NULL WHERE submitted_by = $1 AND document_url IS NOT NULL`, [userId]);
  // Invitations addressed to the person go with them.
  await tx.em.query(`DELETE FROM store_invitation WHERE user_id = $1`, [userId]);
}

/** CLOSED, contact details erased, audited, announced with the next row version (as admin changes are). */
async function closeStore(tx: SystemContext, vendor: VendorEntity): Promise<void> {
  if (vendor.status === 'CLOSED') return;
  // Pending invitations die with the store: nobody may join (and so inherit) a closed store.
  await tx.em.query(`DELETE FROM store_invitation WHERE vendor_id = $1`, [vendor.id]);
  await tx.em.update(VendorEntity, { id: vendor.id }, { status: 'CLOSED', contactEmail: null, contactPhone: null, ...NEXT_VERSION });
  await writeAudit(tx, vendor.id, 'vendor.closed', {
    status: { from: vendor.status, to: 'CLOSED' },
    ...(vendor.contactEmail !== null ? { contactEmail: { from: ERASED, to: null } } : {}),
    ...(vendor.contactPhone !== null ? { contactPhone: { from: ERASED, to: null } } : {}),
  });
  const updated = await tx.em.findOneOrFail(VendorEntity, { where: { id: vendor.id } });
  // emitEvent reads only `em` and `afterCommit` of its context; the relay's poll (1 s) sends it.
  await emitEvent(tx, VendorStatusChanged, {
    vendorId: vendor.id,
    status: 'CLOSED',
    previousStatus: vendor.status,
    version: Number(updated.version),
  });
  await tx.em.query(`UPDATE kyc_submission SET document_url = NULL WHERE vendor_id = $1 AND document_url IS NOT NULL`, [vendor.id]);
  await eraseAuditValues(tx, vendor.id);
}

/**
 * Rewrites the store's audit entries so that no contact e-mail or phone value survives (a change
 * keeps its field name, and null stays null). vendor_audit lets this through only when the
 * transaction declares an erasure (migration ClosedStores1766100000000).
 */
async function eraseAuditValues(tx: SystemContext, vendorId: string): Promise<void> {
  await tx.em.query(`SELECT set_config('vendors.erasure', 'on', true)`);
  await tx.em.query(
    `UPDATE vendor_audit a SET changes = (
       SELECT jsonb_object_agg(k, CASE WHEN k = ANY($2) THEN jsonb_build_object(
                'from', CASE WHEN v->'from' = 'null'::jsonb THEN 'null'::jsonb ELSE to_jsonb($3::text) END,
                'to', CASE WHEN v->'to' = 'null'::jsonb THEN 'null'::jsonb ELSE to_jsonb($3::text) END)
              ELSE v END)
         FROM jsonb_each(a.changes) AS e(k, v))
      WHERE a.vendor_id = $1 AND a.changes ?| $2`,
    [vendorId, PERSONAL_AUDIT_FIELDS, ERASED],
  );
  await tx.em.query(`SELECT set_config('vendors.erasure', 'off', true)`);
}
