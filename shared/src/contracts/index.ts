/**
 * Cross-process contracts, one home for both sides: event names, versions and payload types;
 * internal-field documents and result types; Redis key builders. Types and constants only: no
 * database or network code, so any process (the router included) may import it.
 */
export * from './event';
export * from './messaging';
export * from './identity';
export * from './vendors';
export * from './catalog';
export * from './reviews';
export * from './routes';
