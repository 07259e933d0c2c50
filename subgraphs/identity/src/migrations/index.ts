import { IdentityInit1764000000000 } from './1764000000000-init';
import { IdentityHashLoginIdentifiers1765000000000 } from './1765000000000-hash-login-identifiers';
import { ErasableLoginTrail1766000000000 } from './1766000000000-erasable-login-trail';

/** Identity's migrations, oldest first. Never edit one that has shipped: add a new one. */
export const identityMigrations = [IdentityInit1764000000000, IdentityHashLoginIdentifiers1765000000000, ErasableLoginTrail1766000000000];
