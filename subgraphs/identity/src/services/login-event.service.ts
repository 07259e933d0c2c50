import { pageSize, requireUser } from '@fashionistar/shared';
import type { IdentityContext } from '../context';
import { LoginEventEntity, type StoredLoginReason } from '../entities/login-event.entity';
import type { LoginEventReason } from '../__generated__/resolvers-types';

/** The signed-in user's sign-in attempts, newest first; `first` is 1..100, default 20. */
export async function listLoginEvents(ctx: IdentityContext, first: number | null | undefined): Promise<LoginEventEntity[]> {
  const { userId } = requireUser(ctx);
  const take = pageSize(first, 100, 20);
  return ctx.em.find(LoginEventEntity, {
    where: { userId },
    order: { createdAt: 'DESC', id: 'DESC' },
    take,
  });
}

const REASONS: Record<StoredLoginReason, LoginEventReason> = {
  registered: 'REGISTERED',
  bad_password: 'WRONG_PASSWORD',
  unknown_account: 'UNKNOWN_ACCOUNT',
  rate_limited: 'RATE_LIMITED',
};

/**
 * A stored reason as the API's enum. The trail is append-only and outlives code changes, so a
 * value this version does not know answers OTHER rather than failing the whole list.
 */
export function loginEventReasonOf(stored: string | null): LoginEventReason | null {
  if (stored === null) return null;
  return Object.hasOwn(REASONS, stored) ? REASONS[stored as StoredLoginReason] : 'OTHER';
}
