/**
 * Creates an ADMIN account (admins are never made by `register`), or with `--grant` gives ADMIN
 * to an existing account with that e-mail, provided its e-mail is verified (anyone can sign up
 * with an address they do not own; only a verified one proves ownership). Granting ends every
 * session of the account, so ADMIN is only used after a fresh sign-in with the password.
 *   DATABASE_URL=… npm run create-admin -- --email ops@example.com --password '…' [--first Ada --last Lovelace]
 *   DATABASE_URL=… npm run create-admin -- --email ops@example.com --grant
 * Run it with the identity subgraph's environment (REDIS_URL and REDIS_PREFIX, so the router
 * learns of the ended sessions at once; otherwise the subgraph's event consumer tells it).
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { LoaderRegistry, createInfra, createLogger, inTransaction, initializeAndMigrate, normalizeEmail } from '@fashionistar/shared';
import { loadIdentityConfig } from '../config';
import type { IdentityContext } from '../context';
import { subgraph } from '../server';
import { KeyStore } from '../services/key-store';
import { checkPasswordStrength, hashPassword } from '../services/passwords';
import { revokeAllSessions } from '../services/session.service';

/** A refusal: printed as is, exit code 2. */
class Refused extends Error {}

async function main() {
  const { values } = parseArgs({
    options: {
      email: { type: 'string' },
      password: { type: 'string' },
      first: { type: 'string' },
      last: { type: 'string' },
      grant: { type: 'boolean', default: false },
    },
  });
  if (!values.email) throw new Error('usage: create-admin --email E --password P [--first F --last L] | --email E --grant');
  if (!process.env.DATABASE_URL) throw new Error('DATABASE_URL is required');
  const config = loadIdentityConfig(process.env);
  const email = normalizeEmail(values.email);
  const password = values.password;
  if (password !== undefined) checkPasswordStrength(password);
  const hash = password !== undefined ? await hashPassword(password) : null;

  const log = createLogger('create-admin', 'warn');
  const ds = subgraph.dataSource(process.env.DATABASE_URL);
  await initializeAndMigrate(ds, log);
  const infra = createInfra({ redisUrl: config.REDIS_URL, prefix: config.REDIS_PREFIX });
  const ctx: IdentityContext = {
    requestId: 'create-admin',
    log,
    identity: null,
    clientIp: null,
    userAgent: null,
    em: ds.manager,
    infra,
    afterCommit: [],
    loaders: new LoaderRegistry(),
    deps: { config, keys: new KeyStore(config.JWT_KEYS_DIR, config.JWT_KEY_ACTIVATION_SECONDS) },
    signedInNow: new Set(),
  };
  try {
    const outcome = await inTransaction(ctx, async (tx) => {
      const [existing]: Array<{ id: string; email_verified_at: Date | null; roles: string[] }> = await tx.em.query(
        `SELECT id, email_verified_at, roles FROM app_user WHERE email = $1 AND deleted_at IS NULL FOR UPDATE`,
        [email],
      );
      if (existing) {
        if (!values.grant) {
          throw new Refused(
            `refused: an account with ${email} already exists (${existing.id}). Pass --grant to give it ADMIN, ` +
              'after checking that it belongs to the intended person.',
          );
        }
        if (!existing.email_verified_at) {
          throw new Refused(`refused: ${email} is not verified on account ${existing.id}; it must be verified before it can become ADMIN.`);
        }
        if (existing.roles.includes('ADMIN')) return `${email} (${existing.id}) is already ADMIN; nothing changed`;
        await tx.em.query(`UPDATE app_user SET roles = array_append(roles, 'ADMIN'), updated_at = now() WHERE id = $1`, [existing.id]);
        const ended = await revokeAllSessions(tx, existing.id, 'ROLE_GRANTED');
        return `granted ADMIN to ${email} (${existing.id}); ${ended} session(s) ended, sign in again; the password is unchanged`;
      }
      if (values.grant) throw new Refused(`refused: no account with ${email} to grant ADMIN to`);
      if (!hash) throw new Error('--password is required to create an admin');
      const id = randomUUID();
      await tx.em.query(
        `INSERT INTO app_user (id, email, first_name, last_name, roles, email_verified_at) VALUES ($1, $2, $3, $4, ARRAY['ADMIN'], now())`,
        [id, email, values.first ?? 'Admin', values.last ?? 'User'],
      );
      await tx.em.query(`INSERT INTO credential (id, user_id, kind, secret) VALUES ($1, $2, 'PASSWORD', $3)`, [randomUUID(), id, hash]);
      return `created admin ${email} (${id})`;
    });
    console.log(outcome);
  } finally {
    await ds.destroy();
    await infra.close();
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(error instanceof Refused ? 2 : 1);
});
