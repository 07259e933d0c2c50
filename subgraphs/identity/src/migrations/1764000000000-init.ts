import type { MigrationInterface, QueryRunner } from 'typeorm';
import { MESSAGES_SQL, OUTBOX_SQL } from '@fashionistar/shared';

/** Identity's tables, in the `identity` schema (search_path is set by the DataSource). */
export class IdentityInit1764000000000 implements MigrationInterface {
  // TypeORM records this name in the migrations table; it stays the old class name so databases
  // that already ran the migration do not run it again. The class name is prefixed by subgraph
  // because two subgraphs had the same one.
  name = 'Init1764000000000';

  async up(q: QueryRunner): Promise<void> {
    const statements = [
      `CREATE TABLE app_user (
        id uuid PRIMARY KEY,
        email text,
        phone text,
        first_name text,
        last_name text,
        roles text[] NOT NULL CHECK (roles <@ ARRAY['CUSTOMER','VENDOR','ADMIN','DELIVERY']::text[] AND cardinality(roles) > 0),
        email_verified_at timestamptz,
        phone_verified_at timestamptz,
        deleted_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT app_user_email_lower CHECK (email = lower(email)),
        CONSTRAINT app_user_contact CHECK (deleted_at IS NOT NULL OR email IS NOT NULL OR phone IS NOT NULL)
      )`,
      `CREATE UNIQUE INDEX app_user_email_key ON app_user (email) WHERE email IS NOT NULL`,
      `CREATE UNIQUE INDEX app_user_phone_key ON app_user (phone) WHERE phone IS NOT NULL`,
      `CREATE TABLE credential (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
        kind text NOT NULL CHECK (kind IN ('PASSWORD','GOOGLE','PASSKEY')),
        secret text,
        external_id text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`,
      `CREATE UNIQUE INDEX credential_one_password ON credential (user_id) WHERE kind = 'PASSWORD'`,
      `CREATE UNIQUE INDEX credential_external_key ON credential (kind, external_id) WHERE external_id IS NOT NULL`,
      `CREATE TABLE session (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz,
        revoke_reason text,
        ip_address text,
        user_agent text
      )`,
      `CREATE INDEX session_user_idx ON session (user_id, created_at DESC)`,
      `CREATE TABLE refresh_token (
        id uuid PRIMARY KEY,
        session_id uuid NOT NULL REFERENCES session (id) ON DELETE CASCADE,
        token_hash text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        used_at timestamptz
      )`,
      `CREATE INDEX refresh_token_session_idx ON refresh_token (session_id)`,
      `CREATE TABLE address (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
        full_name text NOT NULL,
        phone text NOT NULL,
        line1 text NOT NULL,
        line2 text,
        city text NOT NULL,
        state text NOT NULL,
        country char(2) NOT NULL,
        postal_code text,
        is_default boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now()
      )`,
      `CREATE INDEX address_user_idx ON address (user_id)`,
      `CREATE UNIQUE INDEX address_one_default ON address (user_id) WHERE is_default`,
      `CREATE TABLE login_event (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        user_id uuid,
        identifier text NOT NULL,
        outcome text NOT NULL CHECK (outcome IN ('SUCCESS','FAILURE','BLOCKED')),
        reason text,
        ip_address text,
        user_agent text,
        created_at timestamptz NOT NULL DEFAULT now()
      )`,
      `CREATE INDEX login_event_user_idx ON login_event (user_id, created_at DESC)`,
      `CREATE FUNCTION login_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'login_event is append-only'; END $$`,
      `CREATE TRIGGER login_event_no_change BEFORE UPDATE OR DELETE ON login_event
        FOR EACH ROW EXECUTE FUNCTION login_event_append_only()`,
      `CREATE TABLE verification_token (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
        purpose text NOT NULL CHECK (purpose IN ('VERIFY_EMAIL','CHANGE_EMAIL','PASSWORD_RESET')),
        token_hash text NOT NULL UNIQUE,
        target text NOT NULL,
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`,
      `CREATE TABLE phone_otp (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
        phone text NOT NULL,
        purpose text NOT NULL CHECK (purpose IN ('VERIFY_PHONE','CHANGE_PHONE','PASSWORD_RESET')),
        code_hash text NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        expires_at timestamptz NOT NULL,
        consumed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`,
      `CREATE INDEX phone_otp_user_idx ON phone_otp (user_id, purpose, created_at DESC)`,
      `CREATE INDEX phone_otp_phone_idx ON phone_otp (phone, created_at DESC)`,
      ...OUTBOX_SQL.up,
      ...MESSAGES_SQL.up,
    ];
    for (const sql of statements) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const sql of [...MESSAGES_SQL.down, ...OUTBOX_SQL.down]) await q.query(sql);
    for (const t of ['phone_otp', 'verification_token', 'login_event', 'address', 'refresh_token', 'session', 'credential', 'app_user']) {
      await q.query(`DROP TABLE ${t}`);
    }
    await q.query(`DROP FUNCTION login_event_append_only()`);
  }
}
