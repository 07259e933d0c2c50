import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * login_event stays append-only, with one exception: account deletion (NDPA erasure) may blank
 * a row's identifier, IP address and user agent, and change nothing else, in a transaction that
 * declares it with `set_config('identity.erasure', 'on', true)`. A stray UPDATE still fails.
 */
export class ErasableLoginTrail1766000000000 implements MigrationInterface {
  name = 'ErasableLoginTrail1766000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE OR REPLACE FUNCTION login_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' AND current_setting('identity.erasure', true) = 'on'
           AND NEW.id = OLD.id AND NEW.user_id IS NOT DISTINCT FROM OLD.user_id AND NEW.outcome = OLD.outcome
           AND NEW.reason IS NOT DISTINCT FROM OLD.reason AND NEW.created_at = OLD.created_at
           AND NEW.identifier = 'erased' AND NEW.ip_address IS NULL AND NEW.user_agent IS NULL THEN
          RETURN NEW;
        END IF;
        RAISE EXCEPTION 'login_event is append-only';
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE OR REPLACE FUNCTION login_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'login_event is append-only'; END $$`);
  }
}
