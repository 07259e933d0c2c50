/**
 * The part of the kernel the router needs: no database, ORM or domain helpers, so the router
 * process does not load TypeORM, pg or phone metadata it never uses (~60 MB of RSS).
 */
export * from './config';
export * from './errors';
export * from './logger';
export * from './identity';
export * from './infra/index';
export * from './server/http';
export * from './contracts/index';
export * from './observability/index';
export { readSubgraphConfig, subgraphUrlOverrides, subgraphUrls, repoRoot, type SubgraphConfig } from './composition-config';
