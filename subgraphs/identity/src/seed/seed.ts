import type { DataSource } from 'typeorm';
import { SEED_PASSWORD, seedUuid, type Logger, type Role } from '@fashionistar/shared';
import { hashPassword } from '../services/passwords';

interface SeedUser {
  email: string;
  phone: string | null;
  firstName: string;
  lastName: string;
  roles: Role[];
}

/** Demo accounts. Every one signs in with SEED_PASSWORD. */
export const SEED_USERS: SeedUser[] = [
  { email: 'admin@fashionistar.test', phone: null, firstName: 'Ada', lastName: 'Admin', roles: ['ADMIN'] },
  ...[1, 2, 3, 4, 5].map((i) => ({
    email: `vendor${i}@fashionistar.test`,
    phone: `+23480300000${i}0`,
    firstName: `Vendor${i}`,
    lastName: 'Stores',
    roles: ['VENDOR'] as Role[],
  })),
  ...[1, 2, 3, 4, 5].map((i) => ({
    email: `customer${i}@fashionistar.test`,
    phone: `+23481200000${i}0`,
    firstName: `Customer${i}`,
    lastName: 'Shopper',
    roles: ['CUSTOMER'] as Role[],
  })),
  { email: 'delivery1@fashionistar.test', phone: '+2348090000010', firstName: 'Dayo', lastName: 'Rider', roles: ['DELIVERY'] },
];

export const seedUserId = (email: string) => seedUuid(`user:${email}`);

/**
 * Seeds the demo accounts idempotently: two bulk statements, the password hashed once, no
 * outbox events (nothing else needs to hear about demo rows). Never called in production.
 */
export async function seedIdentity(ds: DataSource, log: Logger): Promise<number> {
  const ids = SEED_USERS.map((u) => seedUserId(u.email));
  const inserted: Array<{ id: string }> = await ds.query(
    `INSERT INTO app_user (id, email, phone, first_name, last_name, roles, email_verified_at, phone_verified_at)
     SELECT u.id, u.email, u.phone, u.first_name, u.last_name, string_to_array(u.roles, ','), now(), CASE WHEN u.phone IS NULL THEN NULL ELSE now() END
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS u(id, email, phone, first_name, last_name, roles)
     ON CONFLICT DO NOTHING
     RETURNING id`,
    [
      ids,
      SEED_USERS.map((u) => u.email),
      SEED_USERS.map((u) => u.phone),
      SEED_USERS.map((u) => u.firstName),
      SEED_USERS.map((u) => u.lastName),
      SEED_USERS.map((u) => u.roles.join(',')),
    ],
  );
  if (inserted.length) {
    const hash = await hashPassword(SEED_PASSWORD);
    await ds.query(
      `INSERT INTO credential (id, user_id, kind, secret)
       SELECT gen_random_uuid(), id, 'PASSWORD', $2 FROM unnest($1::uuid[]) AS t(id)
       ON CONFLICT DO NOTHING`,
      [inserted.map((r) => r.id), hash],
    );
  }
  log.info({ inserted: inserted.length, total: SEED_USERS.length }, 'identity seed done');
  return inserted.length;
}
