import type { Resolvers } from '../__generated__/resolvers-types';
import { login, logout, refresh, register } from '../services/auth.service';
import {
  changeEmail,
  changePassword,
  changePhone,
  requestEmailVerification,
  requestPasswordReset,
  requestPhoneVerification,
  resetPassword,
  verifyEmail,
  verifyPhone,
} from '../services/verification.service';

export const authResolvers: Resolvers = {
  Mutation: {
    register: (_p, { input }, ctx) => register(ctx, input),
    login: (_p, { input }, ctx) => login(ctx, input),
    refresh: (_p, { refreshToken }, ctx) => refresh(ctx, refreshToken),
    logout: (_p, _a, ctx) => logout(ctx),
    requestEmailVerification: (_p, _a, ctx) => requestEmailVerification(ctx),
    verifyEmail: (_p, { token }, ctx) => verifyEmail(ctx, token),
    requestPhoneVerification: (_p, _a, ctx) => requestPhoneVerification(ctx),
    verifyPhone: (_p, { code }, ctx) => verifyPhone(ctx, code),
    requestPasswordReset: (_p, { input }, ctx) => requestPasswordReset(ctx, input),
    resetPassword: (_p, { input }, ctx) => resetPassword(ctx, input),
    changePassword: (_p, { currentPassword, newPassword }, ctx) => changePassword(ctx, currentPassword, newPassword),
    changeEmail: (_p, { newEmail, password }, ctx) => changeEmail(ctx, newEmail, password),
    changePhone: (_p, { newPhone, password }, ctx) => changePhone(ctx, newPhone, password),
  },
};
