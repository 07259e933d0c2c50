import DataLoader from 'dataloader';
import { In } from 'typeorm';
import { byKey, groupByKey, isUuid } from '@fashionistar/shared';
import type { VendorsContext } from '../context';
import { KycSubmissionEntity } from '../entities/kyc-submission.entity';
import { VendorAuditEntity } from '../entities/vendor-audit.entity';
import { VendorMemberEntity } from '../entities/vendor-member.entity';
import { VendorEntity } from '../entities/vendor.entity';

/*
 * Per-request loaders. They query through the request's own entity manager, so a service must
 * not first touch one inside a transaction (it would keep the transaction's manager): mutations
 * read with `tx.em` directly and leave loaders to the fields resolved afterwards.
 */

/** Stores by id; entity references from other subgraphs batch here. Non-uuid ids answer null. */
export const vendorById = (ctx: VendorsContext) =>
  ctx.loaders.get(
    'vendorById',
    () =>
      new DataLoader<string, VendorEntity | null>(async (ids) => {
        const valid = [...new Set(ids.filter(isUuid))];
        const rows = valid.length ? await ctx.em.find(VendorEntity, { where: { id: In(valid) } }) : [];
        return byKey(ids, rows, (v) => v.id);
      }),
  );

/** Members by store, the owner first, then by joining time. */
export const membersByVendor = (ctx: VendorsContext) =>
  ctx.loaders.get(
    'membersByVendor',
    () =>
      new DataLoader<string, VendorMemberEntity[]>(async (vendorIds) => {
        const rows = await ctx.em.find(VendorMemberEntity, {
          where: { vendorId: In([...vendorIds]) },
          order: { role: 'ASC', createdAt: 'ASC', userId: 'ASC' },
        });
        return groupByKey(vendorIds, rows, (m) => m.vendorId);
      }),
  );

/** A user's memberships, owned store first, then by joining time (first = their "main" store). */
export const membershipsByUser = (ctx: VendorsContext) =>
  ctx.loaders.get(
    'membershipsByUser',
    () =>
      new DataLoader<string, VendorMemberEntity[]>(async (userIds) => {
        const valid = [...new Set(userIds.filter(isUuid))];
        const rows = valid.length
          ? await ctx.em.find(VendorMemberEntity, {
              where: { userId: In(valid) },
              order: { role: 'ASC', createdAt: 'ASC', vendorId: 'ASC' },
            })
          : [];
        return groupByKey(userIds, rows, (m) => m.userId);
      }),
  );

/** KYC submissions by store, newest first. */
export const kycByVendor = (ctx: VendorsContext) =>
  ctx.loaders.get(
    'kycByVendor',
    () =>
      new DataLoader<string, KycSubmissionEntity[]>(async (vendorIds) => {
        const rows = await ctx.em.find(KycSubmissionEntity, {
          where: { vendorId: In([...vendorIds]) },
          order: { createdAt: 'DESC', id: 'DESC' },
        });
        return groupByKey(vendorIds, rows, (k) => k.vendorId);
      }),
  );

/**
 * The newest `limit` audit entries of each store, in one statement for the whole batch (a window
 * per store), so listing many stores' logs costs the same as one. One loader per limit.
 */
export const auditByVendor = (ctx: VendorsContext, limit: number) =>
  ctx.loaders.get(
    `auditByVendor:${limit}`,
    () =>
      new DataLoader<string, VendorAuditEntity[]>(async (vendorIds) => {
        const rows = await ctx.em
          .createQueryBuilder(VendorAuditEntity, 'a')
          .where(
            `a.id IN (SELECT r.id FROM (
               SELECT id, row_number() OVER (PARTITION BY vendor_id ORDER BY id DESC) AS rn
                 FROM vendor_audit WHERE vendor_id = ANY(:ids)) r WHERE r.rn <= :limit)`,
            { ids: [...vendorIds], limit },
          )
          .orderBy('a.id', 'DESC')
          .getMany();
        return groupByKey(vendorIds, rows, (a) => a.vendorId);
      }),
  );
