import { randomUUID } from 'node:crypto';
import { createLogger, seedUuid, type Identity, type Infra, type Role } from '@fashionistar/shared';
import { dataOf, callSubgraph, createTestDatabase, createTestInfra } from '@fashionistar/shared/src/testing';
import { loadVendorsConfig } from '../src/config';
import { startVendors, type RunningVendors } from '../src/server';

export interface CallOptions {
  /** The identity the router would forward; omitted means an anonymous caller. */
  identity?: Identity;
}

export interface GqlResult<T = Record<string, unknown>> {
  status: number;
  data?: T | null;
  errors?: Array<{ message: string; extensions?: { code?: string; field?: string; [k: string]: unknown } }>;
  sqlStatements: number;
}

export interface TestVendors {
  server: RunningVendors;
  infra: Infra;
  call<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, o?: CallOptions): Promise<GqlResult<T>>;
  /** Data of a call that must succeed. */
  ok<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, o?: CallOptions): Promise<T>;
  sql<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  stop(): Promise<void>;
}

/**
 * The vendors subgraph on a fresh database and Redis prefix, called over HTTP the way the router
 * (or another subgraph) calls it: router secret plus a forwarded identity. Seeded unless
 * `SEED=false` is passed.
 */
export async function startTestVendors(env: Record<string, string> = {}): Promise<TestVendors> {
  const db = await createTestDatabase();
  const infra = createTestInfra('redis');
  const config = loadVendorsConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', ...env });
  const server = await startVendors({ config, databaseUrl: db.url, infra, log: createLogger('vendors-test', 'silent'), port: 0 });
  const call: TestVendors['call'] = (query, variables = {}, o = {}) => callSubgraph(server.url, config.ROUTER_SECRET, query, variables, o);
  return {
    server,
    infra,
    call,
    ok: async (query, variables, o) => dataOf(await call(query, variables, o)),
    sql: (text, params) => server.dataSource.query(text, params),
    stop: async () => {
      await server.stop();
      await infra.close();
      await db.drop();
    },
  };
}

/** A made-up signed-in caller (the subgraph trusts the forwarded identity; no token is needed). */
export const user = (...roles: Role[]): Identity => ({ userId: randomUUID(), roles, sessionId: randomUUID() });
export const vendorUser = (): Identity => user('VENDOR');
export const customer = (): Identity => user('CUSTOMER');
export const admin = (): Identity => user('ADMIN');

/** The identity of the seeded owner of store `i` (identity seeds vendor1..5). */
export const seededOwner = (i: number): Identity => ({
  userId: seedUuid(`user:vendor${i}@fashionistar.test`),
  roles: ['VENDOR'],
  sessionId: randomUUID(),
});

/** The codes of a result's errors. */
export const codes = (r: GqlResult): string[] => (r.errors ?? []).map((e) => String(e.extensions?.code));
/** The `field` extension of a result's first error. */
export const field = (r: GqlResult): string | undefined => r.errors?.[0]?.extensions?.field;

export const VENDOR_FIELDS =
  'id slug name description logoUrl contactEmail contactPhone status commissionRate businessHours { day opens closes } createdAt';

export interface VendorView {
  id: string;
  slug: string;
  name: string;
  description: string | null;
  logoUrl: string | null;
  contactEmail: string | null;
  contactPhone: string | null;
  status: 'PENDING' | 'APPROVED' | 'SUSPENDED';
  commissionRate: string | null;
  businessHours: Array<{ day: string; opens: string; closes: string }>;
  createdAt: string;
}

export const APPLY = `mutation($i: ApplyAsVendorInput!) { applyAsVendor(input: $i) { ${VENDOR_FIELDS} } }`;

/** Applies for a store as `who` (a fresh VENDOR by default) and answers the store and its owner. */
export async function applyStore(
  t: TestVendors,
  input: Record<string, unknown> = {},
  who: Identity = vendorUser(),
): Promise<{ vendor: VendorView; owner: Identity }> {
  const d = await t.ok<{ applyAsVendor: VendorView }>(
    APPLY,
    { i: { name: `Store ${randomUUID().slice(0, 8)}`, ...input } },
    { identity: who },
  );
  return { vendor: d.applyAsVendor, owner: who };
}

/** Approves a store as a fresh admin. */
export async function approve(t: TestVendors, id: string): Promise<void> {
  await t.ok(`mutation($id: ID!) { approveVendor(id: $id) { id } }`, { id }, { identity: admin() });
}
