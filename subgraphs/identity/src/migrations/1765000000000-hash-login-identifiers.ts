import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * login_event.identifier holds the SHA-256 (hex) of the normalised e-mail or phone from now on,
 * so the append-only trail keeps no contact details after an account is deleted. Rows written
 * before are hashed here the same way (the append-only trigger is paused for this one update).
 */
export class IdentityHashLoginIdentifiers1765000000000 implements MigrationInterface {
  // TypeORM records this name in the migrations table; it stays the old class name so databases
  // that already ran the migration do not run it again. Class names carry the subgraph, like the
  // Init ones, which two subgraphs used to share.
  name = 'HashLoginIdentifiers1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE login_event DISABLE TRIGGER login_event_no_change`);
    await q.query(
      `UPDATE login_event SET identifier = encode(sha256(convert_to(identifier, 'UTF8')), 'hex') WHERE identifier !~ '^[0-9a-f]{64}$'`,
    );
    await q.query(`ALTER TABLE login_event ENABLE TRIGGER login_event_no_change`);
    await q.query(`COMMENT ON COLUMN login_event.identifier IS 'SHA-256 (hex) of the normalised e-mail or phone'`);
  }

  async down(q: QueryRunner): Promise<void> {
    // Hashes cannot be turned back into addresses; only the comment goes.
    await q.query(`COMMENT ON COLUMN login_event.identifier IS NULL`);
  }
}
