import pg from 'pg';

/**
 * The admin step that runs before any subgraph migrates: the `extensions` schema with every
 * extension the subgraphs use, no creating in `public`, and (in production) one login role per
 * subgraph that owns its schema and can reach nothing else. Subgraph roles cannot create
 * extensions or schemas, so whatever needs a superuser happens here, once, and the subgraphs'
 * migrations run the same way whether they connect as their own role or as a superuser.
 */

/** Schema that holds extensions; every subgraph's search_path is `<its schema>, extensions`. */
export const EXTENSIONS_SCHEMA = 'extensions';

/** Extensions the subgraphs rely on (catalog: trigram typo tolerance). */
export const EXTENSIONS = ['pg_trgm'] as const;

/** The login role a subgraph's containers use: owns the subgraph's schema, nothing more. */
export const subgraphRoleName = (subgraph: string): string => `fsg_${subgraph}`;

/** The variable db-init reads a subgraph role's password from, e.g. `CATALOG_DB_PASSWORD`. */
export const subgraphPasswordEnv = (subgraph: string): string => `${subgraph.toUpperCase()}_DB_PASSWORD`;

export interface SubgraphRole {
  /** Login role name (see {@link subgraphRoleName}). */
  name: string;
  /** The schema it owns; its search_path is `<schema>, extensions`. */
  schema: string;
  password: string;
}

export interface ProvisionOptions {
  /** Schemas to create (owned by the connecting admin unless a role owns them). */
  schemas: string[];
  /** Per-subgraph roles; omitted (npm start, tests) the admin owns every schema. */
  roles?: SubgraphRole[];
}

const ident = (s: string): string => `"${s.replace(/"/g, '""')}"`;
const literal = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/**
 * Provisions the database at `adminUrl` (a role that may create schemas, extensions and roles).
 * Idempotent, and checks before it acts, so a second run (every `npm start`, every db-init) does
 * nothing and needs no privilege. Runs under an advisory lock: two launchers may start together.
 */
export async function provisionDatabase(adminUrl: string, o: ProvisionOptions): Promise<void> {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    await c.query(`SELECT pg_advisory_lock(hashtext('fsg-provision'))`);
    try {
      await provision(c, o);
    } finally {
      await c.query(`SELECT pg_advisory_unlock(hashtext('fsg-provision'))`);
    }
  } finally {
    await c.end();
  }
}

async function provision(c: pg.Client, o: ProvisionOptions): Promise<void> {
  const schemaOwner = async (schema: string): Promise<string | null> =>
    ((await c.query(`SELECT nspowner::regrole::text AS owner FROM pg_namespace WHERE nspname = $1`, [schema])).rows[0]?.owner as string) ??
    null;
  // Whether PUBLIC holds any privilege on a schema. GRANT/REVOKE run only when this says they
  // change something, so a provisioned database needs no ownership of public to pass again.
  const publicMay = async (schema: string): Promise<boolean> =>
    (
      await c.query(
        `SELECT 1 FROM pg_namespace n, aclexplode(coalesce(n.nspacl, acldefault('n', n.nspowner))) a WHERE n.nspname = $1 AND a.grantee = 0`,
        [schema],
      )
    ).rowCount! > 0;
  if ((await schemaOwner(EXTENSIONS_SCHEMA)) === null) await c.query(`CREATE SCHEMA ${ident(EXTENSIONS_SCHEMA)}`);
  // Extension functions and operators keep PUBLIC's EXECUTE; USAGE on the schema is all a role needs.
  if (!(await publicMay(EXTENSIONS_SCHEMA))) await c.query(`GRANT USAGE ON SCHEMA ${ident(EXTENSIONS_SCHEMA)} TO PUBLIC`);
  for (const ext of EXTENSIONS) {
    const found = await c.query(`SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = $1`, [
      ext,
    ]);
    if (found.rowCount === 0) await c.query(`CREATE EXTENSION ${ident(ext)} WITH SCHEMA ${ident(EXTENSIONS_SCHEMA)}`);
    // Databases migrated before this step have it in public (the catalog's first migration put it
    // there); indexes follow the extension's objects by OID, so moving is safe.
    else if (found.rows[0].nspname !== EXTENSIONS_SCHEMA)
      await c.query(`ALTER EXTENSION ${ident(ext)} SET SCHEMA ${ident(EXTENSIONS_SCHEMA)}`);
  }
  // Nobody creates in public, and roles do not even see it: shared tables have no home.
  if (await publicMay('public')) await c.query(`REVOKE ALL ON SCHEMA public FROM PUBLIC`);

  const db = (await c.query(`SELECT current_database() AS db`)).rows[0].db as string;
  const roles = new Map((o.roles ?? []).map((r) => [r.schema, r]));
  for (const r of roles.values()) {
    const exists = (await c.query(`SELECT 1 FROM pg_roles WHERE rolname = $1`, [r.name])).rowCount === 1;
    // Passwords are not bind parameters in DDL; literal() quotes them. NOINHERIT and no CREATEDB/
    // CREATEROLE: the role is exactly its schema.
    await c.query(
      `${exists ? 'ALTER' : 'CREATE'} ROLE ${ident(r.name)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD ${literal(r.password)}`,
    );
    await c.query(`GRANT CONNECT, TEMPORARY ON DATABASE ${ident(db)} TO ${ident(r.name)}`);
    await c.query(`ALTER ROLE ${ident(r.name)} IN DATABASE ${ident(db)} SET search_path = ${ident(r.schema)}, ${ident(EXTENSIONS_SCHEMA)}`);
  }
  for (const schema of new Set([...o.schemas, ...roles.keys()])) {
    const role = roles.get(schema);
    const owner = await schemaOwner(schema);
    if (owner === null) {
      await c.query(`CREATE SCHEMA ${ident(schema)}${role ? ` AUTHORIZATION ${ident(role.name)}` : ''}`);
    } else if (role && owner !== role.name) {
      await handOver(c, schema, role.name);
    }
  }
}

/**
 * A schema migrated by the admin before roles existed: the role must own it and everything in it,
 * or its next migration cannot ALTER its own tables. Sequences owned by a column move with their
 * table (moving them alone is an error); indexes always follow their table.
 */
async function handOver(c: pg.Client, schema: string, role: string): Promise<void> {
  await c.query(`ALTER SCHEMA ${ident(schema)} OWNER TO ${ident(role)}`);
  const objects = await c.query<{ stmt: string }>(
    `SELECT format('ALTER %s %I.%I OWNER TO %I',
                   CASE cl.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                                   WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END,
                   n.nspname, cl.relname, $2::text) AS stmt
       FROM pg_class cl JOIN pg_namespace n ON n.oid = cl.relnamespace
      WHERE n.nspname = $1 AND cl.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
        AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = cl.oid AND d.deptype IN ('a', 'i'))
     UNION ALL
     SELECT format('ALTER ROUTINE %I.%I(%s) OWNER TO %I', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid), $2::text)
       FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
      WHERE n.nspname = $1
     UNION ALL
     SELECT format('ALTER TYPE %I.%I OWNER TO %I', n.nspname, t.typname, $2::text)
       FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE n.nspname = $1 AND t.typtype IN ('e', 'd') `,
    [schema, role],
  );
  for (const { stmt } of objects.rows) await c.query(stmt);
}

/**
 * The roles of a compose deployment, from the subgraph names and `<NAME>_DB_PASSWORD` variables.
 * Reports every missing password at once.
 */
export function rolesFromEnv(subgraphs: string[], env: NodeJS.ProcessEnv = process.env): SubgraphRole[] {
  const missing = subgraphs.filter((s) => !env[subgraphPasswordEnv(s)]);
  if (missing.length) throw new Error(`db-init: set ${missing.map(subgraphPasswordEnv).join(', ')}`);
  return subgraphs.map((s) => ({ name: subgraphRoleName(s), schema: s, password: env[subgraphPasswordEnv(s)]! }));
}
