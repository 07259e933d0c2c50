import type { MigrationInterface, QueryRunner } from 'typeorm';
import { OUTBOX_SQL } from '@fashionistar/shared';

/** The vendors subgraph's tables, in the `vendors` schema (search_path is set by the DataSource). */
export class VendorsInit1764100000000 implements MigrationInterface {
  // TypeORM records this name in the migrations table; it stays the old class name so databases
  // that already ran the migration do not run it again. The class name is prefixed by subgraph
  // because two subgraphs had the same one.
  name = 'Init1764100000000';

  async up(q: QueryRunner): Promise<void> {
    const statements = [
      `CREATE TABLE vendor (
        id uuid PRIMARY KEY,
        slug text NOT NULL CONSTRAINT vendor_slug_key UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
        description text,
        logo_url text,
        contact_email text CHECK (contact_email = lower(contact_email)),
        contact_phone text,
        business_hours jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(business_hours) = 'array'),
        status text NOT NULL CHECK (status IN ('PENDING','APPROVED','SUSPENDED')),
        suspended_reason text,
        commission_rate numeric(5,4) CHECK (commission_rate BETWEEN 0 AND 1),
        approved_at timestamptz,
        -- One more with every change of the row (made under its lock; 1 when applied, 0 for seeded
        -- stores nobody has heard of): orders the store's events by commit.
        version bigint NOT NULL DEFAULT 0 CHECK (version >= 0),
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT vendor_suspended_has_reason CHECK (status <> 'SUSPENDED' OR suspended_reason IS NOT NULL)
      )`,
      // The public directory pages APPROVED stores by (name, id); admins page by (created_at, id).
      `CREATE INDEX vendor_directory_idx ON vendor (status, name, id)`,
      `CREATE INDEX vendor_created_idx ON vendor (created_at, id)`,
      `CREATE TABLE vendor_member (
        vendor_id uuid NOT NULL REFERENCES vendor (id) ON DELETE CASCADE,
        user_id uuid NOT NULL,
        role text NOT NULL CHECK (role IN ('OWNER','STAFF')),
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (vendor_id, user_id)
      )`,
      // A user owns at most one store: enforced here, not by a check before the insert.
      `CREATE UNIQUE INDEX vendor_member_one_owner ON vendor_member (user_id) WHERE role = 'OWNER'`,
      `CREATE INDEX vendor_member_user_idx ON vendor_member (user_id)`,
      `CREATE TABLE kyc_submission (
        id uuid PRIMARY KEY,
        vendor_id uuid NOT NULL REFERENCES vendor (id) ON DELETE CASCADE,
        document_type text NOT NULL CHECK (document_type IN ('CAC_CERTIFICATE','NIN','BVN_LETTER','UTILITY_BILL')),
        document_url text NOT NULL,
        status text NOT NULL CHECK (status IN ('PENDING','IN_REVIEW','APPROVED','REJECTED','RESUBMIT')),
        reviewer_id uuid,
        review_note text,
        submitted_by uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        reviewed_at timestamptz,
        CONSTRAINT kyc_refusal_has_note CHECK (status NOT IN ('REJECTED','RESUBMIT') OR review_note IS NOT NULL)
      )`,
      // One live submission per document type: a new one only after a refusal.
      `CREATE UNIQUE INDEX kyc_submission_one_live ON kyc_submission (vendor_id, document_type)
        WHERE status IN ('PENDING','IN_REVIEW','APPROVED')`,
      `CREATE INDEX kyc_submission_vendor_idx ON kyc_submission (vendor_id, created_at DESC)`,
      `CREATE TABLE vendor_audit (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        vendor_id uuid NOT NULL REFERENCES vendor (id),
        actor_id uuid,
        action text NOT NULL,
        changes jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(changes) = 'object'),
        created_at timestamptz NOT NULL DEFAULT now()
      )`,
      `CREATE INDEX vendor_audit_vendor_idx ON vendor_audit (vendor_id, id DESC)`,
      `CREATE FUNCTION vendor_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'vendor_audit is append-only'; END $$`,
      `CREATE TRIGGER vendor_audit_no_change BEFORE UPDATE OR DELETE ON vendor_audit
        FOR EACH ROW EXECUTE FUNCTION vendor_audit_append_only()`,
      ...OUTBOX_SQL.up,
    ];
    for (const sql of statements) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const sql of OUTBOX_SQL.down) await q.query(sql);
    for (const t of ['vendor_audit', 'kyc_submission', 'vendor_member', 'vendor']) await q.query(`DROP TABLE ${t}`);
    await q.query(`DROP FUNCTION vendor_audit_append_only()`);
  }
}
