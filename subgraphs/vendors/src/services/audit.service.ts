import type { VendorsContext } from '../context';
import type { FieldChange } from '../entities/vendor-audit.entity';

/** Deep-enough equality for audited values (strings, numbers, null, arrays of plain objects). */
const same = (a: unknown, b: unknown): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * The fields of `after` whose value differs from `before`, as `{ field: { from, to } }`;
 * `undefined` in `after` means "not touched" and is skipped.
 */
export function changesOf<T extends object>(before: Partial<T>, after: Partial<T>): Record<string, FieldChange> {
  const out: Record<string, FieldChange> = {};
  for (const [field, to] of Object.entries(after) as Array<[keyof T & string, unknown]>) {
    if (to === undefined) continue;
    const from = before[field] ?? null;
    if (!same(from, to)) out[field] = { from, to };
  }
  return out;
}

/**
 * Appends an audit entry in the caller's transaction (the trigger refuses changing it later), so
 * the entry exists exactly when the change it records does. The actor is the signed-in caller;
 * null means the system.
 */
export async function writeAudit(
  ctx: Pick<VendorsContext, 'em' | 'identity'>,
  vendorId: string,
  action: string,
  changes: Record<string, FieldChange>,
): Promise<void> {
  await ctx.em.query(`INSERT INTO vendor_audit (vendor_id, actor_id, action, changes) VALUES ($1, $2, $3, $4)`, [
    vendorId,
    ctx.identity?.userId ?? null,
    action,
    JSON.stringify(changes),
  ]);
}
