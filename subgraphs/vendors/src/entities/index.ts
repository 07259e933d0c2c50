import { KycSubmissionEntity } from './kyc-submission.entity';
import { StoreInvitationEntity } from './store-invitation.entity';
import { VendorAuditEntity } from './vendor-audit.entity';
import { VendorMemberEntity } from './vendor-member.entity';
import { VendorEntity } from './vendor.entity';

export const vendorsEntities = [VendorEntity, VendorMemberEntity, KycSubmissionEntity, VendorAuditEntity, StoreInvitationEntity];
