import { randomUUID } from 'node:crypto';
import {
  ConflictError,
  VendorStatusChanged,
  emitEvent,
  inTransaction,
  requireRole,
  requireUser,
  uniqueViolation,
} from '@fashionistar/shared';
import type { VendorsContext } from '../context';
import { VendorMemberEntity } from '../entities/vendor-member.entity';
import { VendorEntity, type BusinessHours, type Weekday } from '../entities/vendor.entity';
import { vendorById } from '../loaders/vendor.loaders';
import { isMember, primaryMembership } from './access.service';
import { changesOf, writeAudit } from './audit.service';
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

/** Validates a profile patch; `undefined` (or null for name and hours) leaves a field untouched. */
function profilePatch(input: StoreProfileInput): Partial<Profile> {
  const patch: Partial<Profile> = {};
  if (input.name !== undefined && input.name !== null) patch.name = validName(input.name);
  if (input.description !== undefined) patch.description = validDescription(input.description);
  if (input.logoUrl !== undefined) patch.logoUrl = validHttpsUrl(input.logoUrl, 'logoUrl');
  if (input.contactEmail !== undefined) patch.contactEmail = validEmail(input.contactEmail);
  if (input.contactPhone !== undefined) patch.contactPhone = validPhone(input.contactPhone);
  if (input.businessHours !== undefined && input.businessHours !== null) patch.businessHours = validHours(input.businessHours);
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

/**
 * Opens a PENDING store owned by the caller (VENDOR role). Input is checked before anything is
 * written. Applications are serialized by one advisory lock: they are rare, and it makes both
 * the slug choice and the one-store-per-owner check race-free (the partial unique index
 * `vendor_member_one_owner` still backs the latter).
 */
export async function applyAsVendor(ctx: VendorsContext, input: StoreProfileInput & { name: string }): Promise<VendorEntity> {
  const { userId } = requireRole(ctx, 'VENDOR');
  const profile = { description: null, logoUrl: null, contactEmail: null, contactPhone: null, businessHours: [], ...profilePatch(input) };
  const name = validName(input.name);
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
  const patch = profilePatch(input);
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
  const vendor = await ctx.em.findOne(VendorEntity, { where: { slug: slug.trim().toLowerCase() } });
  if (!vendor) return null;
  vendorById(ctx).prime(vendor.id, vendor);
  return vendor.status === 'APPROVED' || (await isMember(ctx, vendor.id)) ? vendor : null;
}
