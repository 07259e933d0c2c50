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
    register: (_p, { input, refreshTokenIn }, ctx) => register(ctx, input, refreshTokenIn),
    login: (_p, { input, refreshTokenIn }, ctx) => login(ctx, input, refreshTokenIn),
    refresh: (_p, args, ctx) => refresh(ctx, args),
    logout: (_p, { refreshToken }, ctx) => logout(ctx, refreshToken),
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
