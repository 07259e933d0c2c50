import { Init1764000000000 } from './1764000000000-init';
import { HashLoginIdentifiers1765000000000 } from './1765000000000-hash-login-identifiers';

/** Identity's migrations, oldest first. Never edit one that has shipped: add a new one. */
export const identityMigrations = [Init1764000000000, HashLoginIdentifiers1765000000000];
