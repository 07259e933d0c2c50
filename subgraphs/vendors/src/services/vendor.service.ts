import { randomUUID } from 'node:crypto';
import {
  ConflictError,
  ForbiddenError,
  VendorStatusChanged,
  emitEvent,
  inTransaction,
  requireUser,
  uniqueViolation,
  validateAll,
  type Problems,
  type Role,
  lookupText,
} from '@fashionistar/shared';
import type { VendorsContext } from '../context';
import { VendorMemberEntity } from '../entities/vendor-member.entity';
import { VendorEntity, type BusinessHours, type Weekday } from '../entities/vendor.entity';
import { vendorById } from '../loaders/vendor.loaders';
import { isMember, primaryMembership } from './access.service';
import { changesOf, writeAudit } from './audit.service';
import { grantVendorRole } from './identity.peer';
import { requireStorePermission, type StorePermission } from './permissions';
import { slugify, validDescription, validEmail, validHours, validHttpsUrl, validName, validPhone } from './store-input';

/** CONFLICT for a CLOSED store: closing is terminal (its only owner is gone), nothing changes it again. */
export function refuseClosed(vendor: Pick<VendorEntity, 'status'>): void {
  if (vendor.status === 'CLOSED') throw new ConflictError('This store is closed for good: its owner deleted their account.', 'status');
}

/** Moves a store row's version on by one, in an update under the row lock (TypeORM `update` patch). */
export const NEXT_VERSION = { version: () => 'version + 1' } as const;

type HoursInput = ReadonlyArray<{ day: Weekday; opens: string; closes: string }>;

export interface StoreProfileInput {
  name?: string | null;
  description?: string | null;
  logoUrl?: string | null;
  contactEmail?: string | null;
  contactPhone?: string | null;
  businessHours?: HoursInput | null;
}

type Profile = Pick<VendorEntity, 'name' | 'description' | 'logoUrl' | 'contactEmail' | 'contactPhone'> & {
  businessHours: BusinessHours[];
};

/** The profile fields a store may be without: null (or blank) clears them. */
const CLEARABLE = ['description', 'logoUrl', 'contactEmail', 'contactPhone'] as const;

/**
 * Validates a profile patch, recording every problem in `p` under `input.<field>`. A field left
 * out (undefined) is untouched; `null` clears the clearable fields; `name: null` and
 * `businessHours: null` are problems (a store has a name; `[]` closes every day).
 */
function profilePatch(p: Problems, input: StoreProfileInput): Partial<Profile> {
  const patch: Partial<Profile> = {};
  if (input.name === null) p.add('input.name', 'A store has a name: name cannot be cleared.');
  else if (input.name !== undefined) patch.name = p.check('input.name', () => validName(input.name));
  const clear: Record<(typeof CLEARABLE)[number], () => string | null> = {
    description: () => validDescription(input.description),
    logoUrl: () => validHttpsUrl(input.logoUrl, 'logoUrl'),
    contactEmail: () => validEmail(input.contactEmail),
    contactPhone: () => validPhone(input.contactPhone),
  };
  for (const f of CLEARABLE) {
    if (input[f] === undefined) continue;
    const v = p.check(`input.${f}`, clear[f]);
    if (v !== undefined) patch[f] = v;
  }
  if (input.businessHours === null) p.add('input.businessHours', 'businessHours cannot be null: send [] to close every day.');
  else if (input.businessHours !== undefined) {
    const hours = input.businessHours;
    patch.businessHours = p.check(null, () => validHours(hours, 'input.businessHours'));
  }
  return patch;
}

/**
 * A slug free right now: the name's slug, else the slug with the next free numeric suffix
 * (`adire-lagos-2`, `-3`, ...). The caller holds the slug lock, so two applications cannot pick
 * the same one; the unique constraint stays the last word.
 */
async function freeSlug(tx: VendorsContext, name: string): Promise<string> {
  const base = slugify(name);
  // base is [a-z0-9-] only, so it is safe inside the regular expression.
  const taken: Array<{ slug: string }> = await tx.em.query(`SELECT slug FROM vendor WHERE slug = $1 OR slug ~ ('^' || $1 || '-[0-9]+$')`, [
    base,
  ]);
  if (!taken.some((t) => t.slug === base)) return base;
  const suffixes = taken.map((t) => Number(t.slug.slice(base.length + 1)) || 1);
  return `${base}-${Math.max(...suffixes) + 1}`;
}

/** Accounts that may open a store: vendors, and customers becoming vendors by doing so. */
const MAY_APPLY: readonly Role[] = ['VENDOR', 'CUSTOMER'];

/**
 * Opens a PENDING store owned by the caller. Input is checked (every problem at once) before
 * anything is written. A CUSTOMER without the VENDOR role gets it first from identity (idempotent;
 * it reaches access tokens at the next refresh, and nothing here needs it in the token: store
 * operations go by membership). The grant comes before the store: if the store then fails
 * (CONFLICT), the account keeps a role anyone may take at sign-up, and a retry needs no new grant.
 * Applications are serialized by one advisory lock: they are rare, and it makes both the slug
 * choice and the one-store-per-owner check race-free (the partial unique index
 * `vendor_member_one_owner` still backs the latter).
 */
export async function applyAsVendor(ctx: VendorsContext, input: StoreProfileInput & { name: string }): Promise<VendorEntity> {
  const { userId, roles } = requireUser(ctx);
  if (!roles.some((r) => MAY_APPLY.includes(r)))
    throw new ForbiddenError('Only customer and vendor accounts can open a store: sign up as a customer or vendor first.');
  const { name, profile } = validateAll((p) => {
    // A new store starts without hours unless given: null means none here, not "clear".
    const patch = profilePatch(p, { ...input, businessHours: input.businessHours ?? undefined });
    return {
      name: patch.name!,
      profile: {
        description: patch.description ?? null,
        logoUrl: patch.logoUrl ?? null,
        contactEmail: patch.contactEmail ?? null,
        contactPhone: patch.contactPhone ?? null,
        businessHours: patch.businessHours ?? [],
      },
    };
  });
  if (!roles.includes('VENDOR')) {
    // Checked before the grant, so a customer who already owns a store changes nothing.
    if (await ctx.em.findOne(VendorMemberEntity, { where: { userId, role: 'OWNER' } })) throw new ConflictError('You already own a store.');
    await grantVendorRole(ctx, userId);
  }
  try {
    return await inTransaction(ctx, async (tx) => {
      await tx.em.query(`SELECT pg_advisory_xact_lock(hashtext('vendors:apply'))`);
      const owned = await tx.em.findOne(VendorMemberEntity, { where: { userId, role: 'OWNER' } });
      if (owned) throw new ConflictError('You already own a store.');
      const vendor = tx.em.create(VendorEntity, {
        ...profile,
        id: randomUUID(),
        name,
        slug: await freeSlug(tx, name),
        status: 'PENDING',
        suspendedReason: null,
        commissionRate: null,
        approvedAt: null,
        version: '1',
      });
      await tx.em.insert(VendorEntity, vendor);
      await tx.em.insert(VendorMemberEntity, { vendorId: vendor.id, userId, role: 'OWNER' });
      const created = { name, slug: vendor.slug, status: vendor.status, ...profile };
      await writeAudit(tx, vendor.id, 'vendor.applied', { ...changesOf<typeof created>({}, created), owner: { from: null, to: userId } });
      await emitEvent(tx, VendorStatusChanged, { vendorId: vendor.id, status: 'PENDING', previousStatus: null, version: 1 });
      return tx.em.findOneOrFail(VendorEntity, { where: { id: vendor.id } });
    });
  } catch (error) {
    if (uniqueViolation(error) === 'vendor_member_one_owner') throw new ConflictError('You already own a store.');
    throw error;
  }
}

/** The permission each profile field needs (the member matrix decides which roles hold it). */
const FIELD_PERMISSION: Record<keyof StoreProfileInput, StorePermission> = {
  name: 'EDIT_STORE_IDENTITY',
  description: 'EDIT_STORE_IDENTITY',
  logoUrl: 'EDIT_STORE_IDENTITY',
  businessHours: 'EDIT_STORE_IDENTITY',
  contactEmail: 'EDIT_CONTACT_AND_ADDRESS',
  contactPhone: 'EDIT_CONTACT_AND_ADDRESS',
};

/**
 * Changes the profile of the caller's store; the slug stays. Audited with the changed fields only.
 * The caller needs the permission of every field the input touches (an empty input needs the
 * identity permission, so it cannot be used to probe membership for free).
 */
export async function updateMyStore(ctx: VendorsContext, input: StoreProfileInput): Promise<VendorEntity> {
  const touched = (Object.keys(FIELD_PERMISSION) as Array<keyof StoreProfileInput>).filter((f) => input[f] !== undefined);
  const needed = new Set<StorePermission>(touched.map((f) => FIELD_PERMISSION[f]));
  const { vendorId } = await requireStorePermission(ctx, ...(needed.size ? needed : ['EDIT_STORE_IDENTITY' as const]));
  const patch = validateAll((p) => profilePatch(p, input));
  return inTransaction(ctx, async (tx) => {
    const current = await tx.em.findOneOrFail(VendorEntity, { where: { id: vendorId }, lock: { mode: 'pessimistic_write' } });
    refuseClosed(current);
    const changes = changesOf<Profile>(current, patch);
    if (!Object.keys(changes).length) return current;
    const changed = Object.fromEntries(Object.keys(changes).map((f) => [f, patch[f as keyof Profile]]));
    await tx.em.update(VendorEntity, { id: vendorId }, { ...changed, ...NEXT_VERSION });
    await writeAudit(tx, vendorId, 'vendor.updated', changes);
    return tx.em.findOneOrFail(VendorEntity, { where: { id: vendorId } });
  });
}

/** The caller's store, or null when they belong to none. */
export async function myStore(ctx: VendorsContext): Promise<VendorEntity | null> {
  requireUser(ctx);
  const m = await primaryMembership(ctx);
  return m ? vendorById(ctx).load(m.vendorId) : null;
}

/** A store by slug; a store that is not APPROVED exists only for its members and admins. */
export async function vendorBySlug(ctx: VendorsContext, slug: string): Promise<VendorEntity | null> {
  const vendor = await ctx.em.findOne(VendorEntity, { where: { slug: lookupText(slug, 'slug').toLowerCase() } });
  if (!vendor) return null;
  vendorById(ctx).prime(vendor.id, vendor);
  return vendor.status === 'APPROVED' || (await isMember(ctx, vendor.id)) ? vendor : null;
}
