/**
 * compose's one-shot `db-init` service: as the Postgres admin (DATABASE_URL), installs the
 * extensions and makes one role per subgraph of schema/subgraphs.json, named `fsg_<name>`, owning
 * only the schema `<name>`, with the password from `<NAME>_DB_PASSWORD`. Subgraphs start after it
 * exits 0. Re-running it is harmless; it also sets changed passwords.
 */
import { readSubgraphConfig } from '../composition-config';
import { provisionDatabase, rolesFromEnv } from './provision';

async function main(): Promise<void> {
  const adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) throw new Error('db-init: set DATABASE_URL to the admin connection');
  const names = readSubgraphConfig().map((c) => c.name);
  const roles = rolesFromEnv(names);
  await provisionDatabase(adminUrl, { schemas: names, roles });
  console.log(`db-init: extensions ready; roles ${roles.map((r) => `${r.name} → ${r.schema}`).join(', ')}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
