import type { VendorsContext } from '../context';
import type { FieldChange } from '../entities/vendor-audit.entity';

/**
 * Every action the audit log records, as stored (`<aggregate>.<event>`). `writeAudit` takes only
 * these, so the SDL enum `VendorAuditAction` (the same names, upper-cased with `_`) stays complete;
 * a test checks the two name the same actions. `vendor.seeded` is written by the demo seed.
 */
export const AUDIT_ACTIONS = [
  'vendor.applied',
  'vendor.seeded',
  'vendor.updated',
  'vendor.approved',
  'vendor.suspended',
  'vendor.commission-changed',
  'vendor.closed',
  'kyc.submitted',
  'kyc.reviewed',
  'member.invited',
  'member.joined',
  'member.removed',
  'member.role-changed',
  'member.left',
  'member.erased',
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** The SDL name of a stored action (`member.role-changed` → `MEMBER_ROLE_CHANGED`). */
export const auditActionName = (action: AuditAction): string => action.toUpperCase().replace(/[.-]/g, '_');

/**
 * The SDL enum value of a stored action. The column is plain text, so a row written by another
 * version of the code (an action this one does not know) answers OTHER instead of failing the list.
 */
export function auditActionOf(stored: string): string {
  return (AUDIT_ACTIONS as readonly string[]).includes(stored) ? auditActionName(stored as AuditAction) : 'OTHER';
}

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
  action: AuditAction,
  changes: Record<string, FieldChange>,
): Promise<void> {
  await ctx.em.query(`INSERT INTO vendor_audit (vendor_id, actor_id, action, changes) VALUES ($1, $2, $3, $4)`, [
    vendorId,
    ctx.identity?.userId ?? null,
    action,
    JSON.stringify(changes),
  ]);
}
