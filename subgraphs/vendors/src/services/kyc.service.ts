import { randomUUID } from 'node:crypto';
import {
  BadUserInputError,
  ConflictError,
  KycReviewed,
  NotFoundError,
  emitEvent,
  inTransaction,
  isUuid,
  optionalText,
  requireRole,
  uniqueViolation,
  validateAll,
} from '@fashionistar/shared';
import type { VendorsContext } from '../context';
import { KycSubmissionEntity, type KycDocumentType, type KycStatus } from '../entities/kyc-submission.entity';
import { VendorEntity } from '../entities/vendor.entity';
import { writeAudit } from './audit.service';
import { requireStorePermission } from './permissions';
import { validHttpsUrl } from './store-input';
import { refuseClosed } from './vendor.service';

/** Statuses an admin's review may still change. */
const OPEN: readonly KycStatus[] = ['PENDING', 'IN_REVIEW'];
/** Verdicts the store must be told the reason for. */
const NEEDS_NOTE: readonly KycStatus[] = ['REJECTED', 'RESUBMIT'];

/**
 * Sends a document for the caller's store. One live submission per type is enforced by the
 * partial unique index `kyc_submission_one_live`, not by a check before the insert, so two
 * concurrent submissions cannot both get in.
 */
export async function submitKyc(
  ctx: VendorsContext,
  input: { documentType: KycDocumentType; documentUrl: string },
): Promise<KycSubmissionEntity> {
  const { vendorId } = await requireStorePermission(ctx, 'MANAGE_KYC');
  const documentUrl = validateAll((p) => {
    const url = p.check('input.documentUrl', () => validHttpsUrl(input.documentUrl, 'documentUrl'));
    if (url === null) p.add('input.documentUrl', 'documentUrl is required.');
    return url;
  })!;
  try {
    return await inTransaction(ctx, async (tx) => {
      // Shares the store row with the erasure that may close it: a lock, so neither misses the other.
      refuseClosed(await tx.em.findOneOrFail(VendorEntity, { where: { id: vendorId }, lock: { mode: 'pessimistic_read' } }));
      const submission = tx.em.create(KycSubmissionEntity, {
        id: randomUUID(),
        vendorId,
        documentType: input.documentType,
        documentUrl,
        status: 'PENDING',
        reviewerId: null,
        reviewNote: null,
        submittedBy: ctx.identity!.userId,
        reviewedAt: null,
      });
      await tx.em.insert(KycSubmissionEntity, submission);
      await writeAudit(tx, vendorId, 'kyc.submitted', {
        [`kycSubmissions.${submission.id}.documentType`]: { from: null, to: input.documentType },
        [`kycSubmissions.${submission.id}.status`]: { from: null, to: 'PENDING' },
      });
      return tx.em.findOneOrFail(KycSubmissionEntity, { where: { id: submission.id } });
    });
  } catch (error) {
    if (uniqueViolation(error) === 'kyc_submission_one_live') {
      throw new ConflictError(`A ${input.documentType} document is already pending, in review or approved.`, 'documentType');
    }
    throw error;
  }
}

/**
 * An admin's verdict on an open submission. PENDING is not a verdict; REJECTED and RESUBMIT need
 * a note for the store; a decided submission stays decided (the store sends a new one).
 */
export async function reviewKyc(ctx: VendorsContext, id: string, status: KycStatus, note?: string | null): Promise<KycSubmissionEntity> {
  requireRole(ctx, 'ADMIN');
  if (status === 'PENDING') throw new BadUserInputError('A review moves a submission out of PENDING.', 'status');
  const reviewNote = optionalText(note, 'note', 1000);
  if (NEEDS_NOTE.includes(status) && !reviewNote) throw new BadUserInputError(`A ${status} review needs a note for the store.`, 'note');
  return inTransaction(ctx, async (tx) => {
    const current = isUuid(id) ? await tx.em.findOne(KycSubmissionEntity, { where: { id }, lock: { mode: 'pessimistic_write' } }) : null;
    if (!current) throw new NotFoundError('KYC submission', id);
    refuseClosed(await tx.em.findOneOrFail(VendorEntity, { where: { id: current.vendorId } }));
    if (!OPEN.includes(current.status)) throw new ConflictError(`This submission was already ${current.status}.`, 'status');
    // Marking a submission IN_REVIEW twice is a repeat, not a new verdict.
    if (current.status === status && (!reviewNote || reviewNote === current.reviewNote)) return current;
    const patch = { status, reviewerId: ctx.identity!.userId, reviewNote: reviewNote ?? current.reviewNote, reviewedAt: new Date() };
    await tx.em.update(KycSubmissionEntity, { id }, patch);
    const at = `kycSubmissions.${id}`;
    await writeAudit(tx, current.vendorId, 'kyc.reviewed', {
      [`${at}.status`]: { from: current.status, to: status },
      ...(patch.reviewNote !== current.reviewNote ? { [`${at}.reviewNote`]: { from: current.reviewNote, to: patch.reviewNote } } : {}),
    });
    await emitEvent(tx, KycReviewed, {
      submissionId: id,
      vendorId: current.vendorId,
      documentType: current.documentType,
      status,
      previousStatus: current.status,
    });
    return tx.em.findOneOrFail(KycSubmissionEntity, { where: { id } });
  });
}
