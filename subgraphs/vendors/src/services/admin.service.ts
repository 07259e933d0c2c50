import {
  NotFoundError,
  VendorCommissionChanged,
  VendorStatusChanged,
  emitEvent,
  inTransaction,
  isUuid,
  requireRole,
  requireText,
} from '@fashionistar/shared';
import type { VendorsContext } from '../context';
import { VendorEntity, type VendorStatus } from '../entities/vendor.entity';
import { changesOf, writeAudit, type AuditAction } from './audit.service';
import { validRate } from './store-input';
import { NEXT_VERSION, refuseClosed } from './vendor.service';

/**
 * Runs an admin change on one store, its row locked so concurrent admins serialize and every
 * audit entry and event sees the status it really changed from. A CLOSED store is CONFLICT.
 */
async function withLockedVendor<T>(ctx: VendorsContext, id: string, fn: (tx: VendorsContext, v: VendorEntity) => Promise<T>): Promise<T> {
  return inTransaction(ctx, async (tx) => {
    const vendor = isUuid(id) ? await tx.em.findOne(VendorEntity, { where: { id }, lock: { mode: 'pessimistic_write' } }) : null;
    if (!vendor) throw new NotFoundError('Vendor', id);
    refuseClosed(vendor);
    return fn(tx, vendor);
  });
}

/**
 * Applies `patch` (moving the row's version on by one), audits what changed under `action`, and
 * announces a status change with the new version. The caller holds the row lock.
 */
async function change(tx: VendorsContext, vendor: VendorEntity, action: AuditAction, patch: Partial<VendorEntity>): Promise<VendorEntity> {
  const changes = changesOf<VendorEntity>(vendor, patch);
  if (!Object.keys(changes).length) return vendor;
  await tx.em.update(VendorEntity, { id: vendor.id }, { ...patch, ...NEXT_VERSION });
  await writeAudit(tx, vendor.id, action, changes);
  const updated = await tx.em.findOneOrFail(VendorEntity, { where: { id: vendor.id } });
  if (patch.status && patch.status !== vendor.status) {
    await emitEvent(tx, VendorStatusChanged, {
      vendorId: vendor.id,
      status: patch.status,
      previousStatus: vendor.status,
      version: Number(updated.version),
    });
  }
  return updated;
}

/** PENDING or SUSPENDED → APPROVED. Approving an APPROVED store changes nothing and records nothing. */
export async function approveVendor(ctx: VendorsContext, id: string): Promise<VendorEntity> {
  requireRole(ctx, 'ADMIN');
  return withLockedVendor(ctx, id, (tx, v) => {
    if (v.status === 'APPROVED') return Promise.resolve(v);
    const status: VendorStatus = 'APPROVED';
    return change(tx, v, 'vendor.approved', { status, suspendedReason: null, approvedAt: new Date() });
  });
}

/** Any status → SUSPENDED with a reason (suspending again with a new reason just records the new one). */
export async function suspendVendor(ctx: VendorsContext, id: string, reason: string): Promise<VendorEntity> {
  requireRole(ctx, 'ADMIN');
  const why = requireText(reason, 'reason', 500);
  const status: VendorStatus = 'SUSPENDED';
  return withLockedVendor(ctx, id, (tx, v) => change(tx, v, 'vendor.suspended', { status, suspendedReason: why }));
}

/** Sets or (null) clears the store's commission override; BAD_USER_INPUT on `rate` outside 0..1. */
export async function setCommissionRate(ctx: VendorsContext, id: string, rate: string | null | undefined): Promise<VendorEntity> {
  requireRole(ctx, 'ADMIN');
  const commissionRate = validRate(rate);
  return withLockedVendor(ctx, id, async (tx, v) => {
    const updated = await change(tx, v, 'vendor.commission-changed', { commissionRate });
    if (updated !== v) {
      await emitEvent(tx, VendorCommissionChanged, {
        vendorId: v.id,
        rate: commissionRate,
        previousRate: v.commissionRate,
        version: Number(updated.version),
      });
    }
    return updated;
  });
}
