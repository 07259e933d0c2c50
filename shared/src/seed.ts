import { createHash } from 'node:crypto';

/**
 * A stable UUID for a seeded row, derived from a name (e.g. `user:vendor1@fashionistar.test`), so
 * every subgraph's seed can refer to the same demo users and stores without sharing tables.
 */
export function seedUuid(name: string): string {
  const h = createHash('sha1').update(`fashionistar-seed:${name}`).digest('hex');
  // Version 5 layout (name-based, SHA-1), variant 10xx.
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The demo password of every seeded account. */
export const SEED_PASSWORD = 'Passw0rd!';
