import { randomUUID } from 'node:crypto';
import {
  BadUserInputError,
  NotFoundError,
  inTransaction,
  isUuid,
  normalizeCountry,
  normalizeNigerianState,
  normalizePhone,
  optionalText,
  requireText,
  requireUser,
  validateAll,
  type Problems,
} from '@fashionistar/shared';
import type { IdentityContext } from '../context';
import { AddressEntity } from '../entities/address.entity';

/** Most addresses one user may keep. */
export const MAX_ADDRESSES = 20;

export interface AddressArgs {
  fullName?: string | null;
  phone?: string | null;
  line1?: string | null;
  line2?: string | null;
  city?: string | null;
  state?: string | null;
  country?: string | null;
  postalCode?: string | null;
  isDefault?: boolean | null;
}

type AddressFields = Omit<AddressEntity, 'id' | 'userId' | 'isDefault' | 'createdAt'>;

/** Fields an update may clear with `null` (or blank text); the others must keep a value. */
const CLEARABLE = new Set<keyof AddressArgs>(['line2', 'postalCode']);
const TEXT_FIELDS: Array<keyof AddressFields> = ['fullName', 'phone', 'line1', 'line2', 'city', 'state', 'country', 'postalCode'];

/** Checks a whole address, recording every problem in `p` under `input.<field>`. */
function validate(input: AddressArgs, p: Problems): AddressFields {
  const country = p.check('input.country', () => normalizeCountry(input.country));
  if (country && country !== 'NG') p.add('input.country', 'We deliver within Nigeria only for now.');
  return {
    fullName: p.check('input.fullName', () => requireText(input.fullName, 'fullName', 120))!,
    phone: p.check('input.phone', () => normalizePhone(input.phone ?? '', 'phone'))!,
    line1: p.check('input.line1', () => requireText(input.line1, 'line1', 200))!,
    line2: p.check('input.line2', () => optionalText(input.line2, 'line2', 200)) ?? null,
    city: p.check('input.city', () => requireText(input.city, 'city', 100))!,
    state: p.check('input.state', () => normalizeNigerianState(input.state ?? '', 'state'))!,
    country: country!,
    postalCode: p.check('input.postalCode', () => optionalText(input.postalCode, 'postalCode', 20)) ?? null,
  };
}

export async function addAddress(ctx: IdentityContext, input: AddressArgs): Promise<AddressEntity> {
  const { userId } = requireUser(ctx);
  const fields = validateAll((p) => validate(input, p));
  return inTransaction(ctx, async (tx) => {
    // Lock the user's book so two concurrent adds can't both become the first default.
    await tx.em.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`address-book:${userId}`]);
    const count = await tx.em.count(AddressEntity, { where: { userId } });
    if (count >= MAX_ADDRESSES) throw new BadUserInputError(`An address book holds at most ${MAX_ADDRESSES} addresses.`, 'input');
    const isDefault = count === 0 || !!input.isDefault;
    if (isDefault) await tx.em.update(AddressEntity, { userId, isDefault: true }, { isDefault: false });
    const address = tx.em.create(AddressEntity, { id: randomUUID(), userId, ...fields, isDefault });
    await tx.em.insert(AddressEntity, address);
    return address;
  });
}

async function ownAddress(ctx: IdentityContext, userId: string, id: string): Promise<AddressEntity> {
  const address = isUuid(id) ? await ctx.em.findOne(AddressEntity, { where: { id, userId } }) : null;
  if (!address) throw new NotFoundError('Address', id);
  return address;
}

/**
 * Changes an address: an absent field keeps its value; `null` clears line2 and postalCode and is
 * refused for the others. The default can move to another address (`isDefault: true` there), not
 * be switched off: `isDefault: false` on the default is refused, never silently ignored.
 */
export async function updateAddress(ctx: IdentityContext, id: string, input: AddressArgs): Promise<AddressEntity> {
  const { userId } = requireUser(ctx);
  return inTransaction(ctx, async (tx) => {
    await tx.em.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`address-book:${userId}`]);
    const current = await ownAddress(tx, userId, id);
    const fields = validateAll((p) => {
      const merged: AddressArgs = { ...current };
      for (const key of TEXT_FIELDS) {
        const value = input[key];
        if (value === undefined) continue;
        if (value === null && !CLEARABLE.has(key)) p.add(`input.${key}`, `${key} cannot be removed; give a new value or leave it out.`);
        else merged[key] = value;
      }
      if (input.isDefault === null) p.add('input.isDefault', 'isDefault cannot be removed; give true or leave it out.');
      if (input.isDefault === false && current.isDefault) {
        p.add('input.isDefault', 'This is the default address: make another address the default instead.');
      }
      return validate(merged, p);
    });
    if (input.isDefault === true && !current.isDefault) {
      await tx.em.update(AddressEntity, { userId, isDefault: true }, { isDefault: false });
    }
    await tx.em.update(AddressEntity, { id }, { ...fields, isDefault: current.isDefault || input.isDefault === true });
    return tx.em.findOneOrFail(AddressEntity, { where: { id } });
  });
}

export async function removeAddress(ctx: IdentityContext, id: string): Promise<boolean> {
  const { userId } = requireUser(ctx);
  return inTransaction(ctx, async (tx) => {
    await tx.em.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`address-book:${userId}`]);
    const current = await ownAddress(tx, userId, id);
    await tx.em.delete(AddressEntity, { id });
    if (current.isDefault) {
      const next = await tx.em.findOne(AddressEntity, { where: { userId }, order: { createdAt: 'DESC' } });
      if (next) await tx.em.update(AddressEntity, { id: next.id }, { isDefault: true });
    }
    return true;
  });
}
