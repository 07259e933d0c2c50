/**
 * Creates an ADMIN account (admins are never made by `register`), or grants ADMIN to an
 * existing account with that e-mail.
 *   DATABASE_URL=… npm run create-admin -- --email ops@example.com --password '…' [--first Ada --last Lovelace]
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { createLogger, normalizeEmail } from '@fashionistar/shared';
import { checkPasswordStrength, hashPassword } from '../services/passwords';
import { identityDataSource } from '../server';
import { initializeAndMigrate } from '@fashionistar/shared';

async function main() {
  const { values } = parseArgs({
    options: { email: { type: 'string' }, password: { type: 'string' }, first: { type: 'string' }, last: { type: 'string' } },
  });
  if (!values.email || !values.password) throw new Error('usage: create-admin --email E --password P [--first F --last L]');
  if (!process.env.DATABASE_URL) throw new Error('DATABASE_URL is required');
  const email = normalizeEmail(values.email);
  checkPasswordStrength(values.password);
  const ds = identityDataSource(process.env.DATABASE_URL);
  await initializeAndMigrate(ds, createLogger('create-admin', 'warn'));
  try {
    const hash = await hashPassword(values.password);
    await ds.transaction(async (em) => {
      const [existing]: Array<{ id: string }> = await em.query(`SELECT id FROM app_user WHERE email = $1 FOR UPDATE`, [email]);
      if (existing) {
        await em.query(
          `UPDATE app_user SET roles = array_append(roles, 'ADMIN'), updated_at = now() WHERE id = $1 AND NOT ('ADMIN' = ANY(roles))`,
          [existing.id],
        );
        console.log(`granted ADMIN to ${email} (${existing.id}); the password is unchanged`);
        return;
      }
      const id = randomUUID();
      await em.query(
        `INSERT INTO app_user (id, email, first_name, last_name, roles, email_verified_at) VALUES ($1, $2, $3, $4, ARRAY['ADMIN'], now())`,
        [id, email, values.first ?? 'Admin', values.last ?? 'User'],
      );
      await em.query(`INSERT INTO credential (id, user_id, kind, secret) VALUES ($1, $2, 'PASSWORD', $3)`, [randomUUID(), id, hash]);
      console.log(`created admin ${email} (${id})`);
    });
  } finally {
    await ds.destroy();
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
