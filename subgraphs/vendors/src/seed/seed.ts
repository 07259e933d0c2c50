import type { DataSource } from 'typeorm';
import { seedUuid, type Logger } from '@fashionistar/shared';
import type { BusinessHours } from '../entities/vendor.entity';
import { slugify } from '../services/store-input';

interface SeedStore {
  name: string;
  description: string;
  hours: BusinessHours[];
}

const weekdays = (opens: string, closes: string): BusinessHours[] =>
  (['MON', 'TUE', 'WED', 'THU', 'FRI'] as const).map((day) => ({ day, opens, closes }));

const STORES: SeedStore[] = [
  {
    name: 'Adire Lagos',
    description: 'Hand-dyed adire and batik from Abeokuta artisans, tailored in Yaba.',
    hours: [...weekdays('09:00', '18:00'), { day: 'SAT', opens: '10:00', closes: '16:00' }],
  },
  {
    name: 'Aso-Oke House',
    description: 'Handwoven aso-oke for weddings and owambe: gele, ipele and agbada sets.',
    hours: [...weekdays('08:30', '17:30'), { day: 'SAT', opens: '09:00', closes: '15:00' }],
  },
  {
    name: 'Ankara Avenue',
    description: 'Ready-to-wear Ankara dresses, shirts and two-piece sets in bold wax prints.',
    hours: weekdays('10:00', '19:00'),
  },
  {
    name: 'Abuja Agbada Atelier',
    description: 'Bespoke agbada, kaftan and senator wear cut to measure in Wuse II.',
    hours: [...weekdays('09:00', '18:00'), { day: 'SAT', opens: '11:00', closes: '17:00' }],
  },
  {
    name: 'Calabar Coral & Beads',
    description: 'Coral bead necklaces, bridal crowns and Efik wrappers from Calabar.',
    hours: [
      ...weekdays('09:00', '17:00'),
      { day: 'SAT', opens: '10:00', closes: '14:00' },
      { day: 'SUN', opens: '13:00', closes: '17:00' },
    ],
  },
];

/** Seeded store `i` (1..5): id and owner follow the shared seed-uuid scheme, so other seeds can refer to them. */
export const seedStoreId = (i: number): string => seedUuid(`vendor-store:${i}`);
/** The owner of seeded store `i`: identity's seeded user vendor{i}@fashionistar.test. */
export const seedStoreOwnerId = (i: number): string => seedUuid(`user:vendor${i}@fashionistar.test`);

/** Ids of the five seeded (APPROVED) stores, store 1 first. */
export const SEED_STORE_IDS: readonly string[] = STORES.map((_s, i) => seedStoreId(i + 1));

/** The seeded stores as other subgraphs' tests may want them. */
export const SEED_STORES = STORES.map((s, i) => ({
  id: seedStoreId(i + 1),
  ownerId: seedStoreOwnerId(i + 1),
  name: s.name,
  slug: slugify(s.name),
}));

/**
 * Seeds the demo stores idempotently in three bulk statements (stores, owners, one system audit
 * entry per store actually inserted). No outbox events: nothing else needs to hear about demo
 * rows, and every seed derives the same ids itself. Never called in production.
 */
export async function seedVendors(ds: DataSource, log: Logger): Promise<number> {
  const inserted: Array<{ id: string }> = await ds.query(
    `INSERT INTO vendor (id, slug, name, description, logo_url, contact_email, contact_phone, business_hours, status, approved_at)
     SELECT s.id, s.slug, s.name, s.description, s.logo_url, s.contact_email, s.contact_phone, s.hours::jsonb, 'APPROVED', now()
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
         AS s(id, slug, name, description, logo_url, contact_email, contact_phone, hours)
     ON CONFLICT DO NOTHING
     RETURNING id`,
    [
      SEED_STORES.map((s) => s.id),
      SEED_STORES.map((s) => s.slug),
      STORES.map((s) => s.name),
      STORES.map((s) => s.description),
      SEED_STORES.map((s) => `https://img.fashionistar.test/stores/${s.slug}/logo.png`),
      SEED_STORES.map((s) => `hello@${s.slug}.fashionistar.test`),
      SEED_STORES.map((_s, i) => `+23480310000${i + 1}0`),
      STORES.map((s) => JSON.stringify(s.hours)),
    ],
  );
  await ds.query(
    `INSERT INTO vendor_member (vendor_id, user_id, role)
     SELECT * FROM unnest($1::uuid[], $2::uuid[]) AS m(vendor_id, user_id), (VALUES ('OWNER')) AS r(role)
     ON CONFLICT DO NOTHING`,
    [SEED_STORES.map((s) => s.id), SEED_STORES.map((s) => s.ownerId)],
  );
  if (inserted.length) {
    await ds.query(
      `INSERT INTO vendor_audit (vendor_id, actor_id, action, changes)
       SELECT id, NULL, 'vendor.seeded', jsonb_build_object('status', jsonb_build_object('from', NULL, 'to', 'APPROVED'))
         FROM unnest($1::uuid[]) AS t(id)`,
      [inserted.map((r) => r.id)],
    );
  }
  log.info({ inserted: inserted.length, total: STORES.length }, 'vendors seed done');
  return inserted.length;
}
