import { join } from 'node:path';
import { defineSubgraph } from '@fashionistar/shared';
import { loadVendorsConfig } from './config';
import { SOURCE, buildVendorsContext } from './context';
import { vendorsEntities } from './entities';
import { vendorsMigrations } from './migrations';
import { resolvers } from './resolvers';
import { seedVendors } from './seed/seed';
import { vendorsEventHandlers } from './services/events.service';

/** The vendors subgraph: stores, membership, approval, KYC, audit log. */
export const subgraph = defineSubgraph({
  name: SOURCE,
  schemaDir: join(__dirname, 'schema'),
  loadConfig: loadVendorsConfig,
  listen: (c) => ({ port: c.VENDORS_PORT, host: c.VENDORS_HOST }),
  resolvers,
  entities: vendorsEntities,
  migrations: vendorsMigrations,
  deps: ({ config, internal }) => ({ config, internal }),
  context: buildVendorsContext,
  seed: ({ dataSource, log }) => seedVendors(dataSource, log),
  consumers: () => ({ vendors: vendorsEventHandlers }),
});
