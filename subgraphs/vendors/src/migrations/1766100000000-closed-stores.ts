import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Account deletion (NDPA erasure): a store whose only owner deleted the account becomes CLOSED,
 * for good; KYC documents of a deleted uploader lose their URL; and vendor_audit, append-only,
 * lets exactly one kind of update through: rewriting `changes` (to blank personal values such as
 * a store's contact e-mail) in a transaction that declares an erasure with
 * `set_config('vendors.erasure', 'on', true)`. A stray UPDATE or DELETE still fails.
 */
export class ClosedStores1766100000000 implements MigrationInterface {
  name = 'ClosedStores1766100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE vendor DROP CONSTRAINT vendor_status_check`);
    await q.query(`ALTER TABLE vendor ADD CONSTRAINT vendor_status_check CHECK (status IN ('PENDING','APPROVED','SUSPENDED','CLOSED'))`);
    await q.query(`ALTER TABLE kyc_submission ALTER COLUMN document_url DROP NOT NULL`);
    await q.query(`CREATE OR REPLACE FUNCTION vendor_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' AND current_setting('vendors.erasure', true) = 'on'
           AND NEW.id = OLD.id AND NEW.vendor_id = OLD.vendor_id AND NEW.actor_id IS NOT DISTINCT FROM OLD.actor_id
           AND NEW.action = OLD.action AND NEW.created_at = OLD.created_at THEN
          RETURN NEW;
        END IF;
        RAISE EXCEPTION 'vendor_audit is append-only';
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE OR REPLACE FUNCTION vendor_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'vendor_audit is append-only'; END $$`);
    // Erased documents cannot come back; a placeholder keeps the old NOT NULL satisfiable.
    await q.query(`UPDATE kyc_submission SET document_url = 'https://erased.invalid/' WHERE document_url IS NULL`);
    await q.query(`ALTER TABLE kyc_submission ALTER COLUMN document_url SET NOT NULL`);
    await q.query(
      `UPDATE vendor SET status = 'SUSPENDED', suspended_reason = 'Closed: the owner deleted the account.' WHERE status = 'CLOSED'`,
    );
    await q.query(`ALTER TABLE vendor DROP CONSTRAINT vendor_status_check`);
    await q.query(`ALTER TABLE vendor ADD CONSTRAINT vendor_status_check CHECK (status IN ('PENDING','APPROVED','SUSPENDED'))`);
  }
}
