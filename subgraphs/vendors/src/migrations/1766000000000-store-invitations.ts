import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Pending invitations into a store (member management). */
export class StoreInvitations1766000000000 implements MigrationInterface {
  name = 'StoreInvitations1766000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE store_invitation (
      id uuid PRIMARY KEY,
      vendor_id uuid NOT NULL REFERENCES vendor (id) ON DELETE CASCADE,
      user_id uuid NOT NULL,
      role text NOT NULL CHECK (role IN ('OWNER','STAFF')),
      invited_by uuid NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      -- One pending invitation per store and user: a repeat renews it (ON CONFLICT), never a second row.
      CONSTRAINT store_invitation_vendor_user_key UNIQUE (vendor_id, user_id)
    )`);
    // The invitee's list, newest first.
    await q.query(`CREATE INDEX store_invitation_user_idx ON store_invitation (user_id, created_at DESC)`);
    // The per-store invitation limit counts every invite sent (the audit rows), known address or not.
    await q.query(`CREATE INDEX vendor_audit_invites_idx ON vendor_audit (vendor_id, created_at) WHERE action = 'member.invited'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX vendor_audit_invites_idx`);
    await q.query(`DROP TABLE store_invitation`);
  }
}
