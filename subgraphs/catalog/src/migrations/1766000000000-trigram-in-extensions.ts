import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Databases migrated before per-subgraph roles have pg_trgm in `public`, which is no longer on the
 * search_path (`catalog, extensions`). provisionDatabase moves it when it runs (npm start, tests,
 * compose db-init); this covers a catalog started alone with a superuser DATABASE_URL on such a
 * database. It moves the extension only from public and only when this role owns it or is a
 * superuser: a production role whose admin already moved it finds nothing to do, and never fails
 * here for want of a privilege it is not meant to have.
 */
export class TrigramInExtensions1766000000000 implements MigrationInterface {
  name = 'TrigramInExtensions1766000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DO $$ BEGIN
      IF EXISTS (
        SELECT 1 FROM pg_extension e
         WHERE e.extname = 'pg_trgm' AND e.extnamespace = 'public'::regnamespace
           AND (pg_has_role(e.extowner, 'USAGE') OR (SELECT rolsuper FROM pg_roles WHERE rolname = current_user))
      ) THEN
        CREATE SCHEMA IF NOT EXISTS extensions;
        GRANT USAGE ON SCHEMA extensions TO PUBLIC;
        ALTER EXTENSION pg_trgm SET SCHEMA extensions;
      END IF;
    END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    // Moving it back to public would break the search_path the code relies on; nothing to undo.
    void q;
  }
}
