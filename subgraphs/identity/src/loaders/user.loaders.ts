import DataLoader from 'dataloader';
import { In } from 'typeorm';
import { byKey, groupByKey, isUuid } from '@fashionistar/shared';
import type { IdentityContext } from '../context';
import { AddressEntity } from '../entities/address.entity';
import { UserEntity } from '../entities/user.entity';

/** Users by id, one query per request tick (entity references from other subgraphs batch here). */
export const userById = (ctx: IdentityContext) =>
  ctx.loaders.get(
    'userById',
    () =>
      new DataLoader<string, UserEntity | null>(async (ids) => {
        const valid = ids.filter(isUuid);
        const rows = valid.length ? await ctx.em.find(UserEntity, { where: { id: In(valid) } }) : [];
        return byKey(ids, rows, (u) => u.id);
      }),
  );

/** Address books by user id, the default first, then newest. */
export const addressesByUser = (ctx: IdentityContext) =>
  ctx.loaders.get(
    'addressesByUser',
    () =>
      new DataLoader<string, AddressEntity[]>(async (userIds) => {
        const rows = await ctx.em.find(AddressEntity, {
          where: { userId: In([...userIds]) },
          order: { isDefault: 'DESC', createdAt: 'DESC' },
        });
        return groupByKey(userIds, rows, (a) => a.userId);
      }),
  );
