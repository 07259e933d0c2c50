import { requireUser } from '@fashionistar/shared';
import type { IdentityContext } from '../context';
import { LoginEventEntity } from '../entities/login-event.entity';

/** The signed-in user's sign-in attempts, newest first; `first` is clamped to 1..100. */
export async function listLoginEvents(ctx: IdentityContext, first: number | null | undefined): Promise<LoginEventEntity[]> {
  const { userId } = requireUser(ctx);
  return ctx.em.find(LoginEventEntity, {
    where: { userId },
    order: { createdAt: 'DESC', id: 'DESC' },
    take: Math.min(Math.max(first ?? 20, 1), 100),
  });
}
