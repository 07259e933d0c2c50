import { UserEntity } from './user.entity';
import { CredentialEntity } from './credential.entity';
import { RefreshTokenEntity, SessionEntity } from './session.entity';
import { AddressEntity } from './address.entity';
import { LoginEventEntity } from './login-event.entity';
import { PhoneOtpEntity, VerificationTokenEntity } from './verification.entity';

export const identityEntities = [
  UserEntity,
  CredentialEntity,
  SessionEntity,
  RefreshTokenEntity,
  AddressEntity,
  LoginEventEntity,
  VerificationTokenEntity,
  PhoneOtpEntity,
];
