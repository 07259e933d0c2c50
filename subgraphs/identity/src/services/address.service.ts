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

function validate(input: AddressArgs): AddressFields {
  const country = normalizeCountry(input.country);
  if (country !== 'NG') throw new BadUserInputError('We deliver within Nigeria only for now.', 'country');
  return {
    fullName: requireText(input.fullName, 'fullName', 120),
    phone: normalizePhone(input.phone ?? '', 'phone'),
    line1: requireText(input.line1, 'line1', 200),
    line2: optionalText(input.line2, 'line2', 200),
    city: requireText(input.city, 'city', 100),
    state: normalizeNigerianState(input.state ?? '', 'state'),
    country,
    postalCode: optionalText(input.postalCode, 'postalCode', 20),
  };
}

export async function addAddress(ctx: IdentityContext, input: AddressArgs): Promise<AddressEntity> {
  const { userId } = requireUser(ctx);
  const fields = validate(input);
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

export async function updateAddress(ctx: IdentityContext, id: string, input: AddressArgs): Promise<AddressEntity> {
  const { userId } = requireUser(ctx);
  return inTransaction(ctx, async (tx) => {
    await tx.em.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`address-book:${userId}`]);
    const current = await ownAddress(tx, userId, id);
    const merged: AddressArgs = {
      ...current,
      ...Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined && v !== null)),
    };
    const fields = validate(merged);
    if (input.isDefault === true && !current.isDefault) {
      await tx.em.update(AddressEntity, { userId, isDefault: true }, { isDefault: false });
    }
    // The default can move to another address, not be switched off: someone must be default.
    const isDefault = current.isDefault || input.isDefault === true;
    await tx.em.update(AddressEntity, { id }, { ...fields, isDefault });
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
