import { randomUUID } from 'node:crypto';
import { seedUuid, type Identity, type Role } from '@fashionistar/shared';
import { startTestSubgraph, type CallerHeaders, type SubgraphAnswer, type TestSubgraph } from '@fashionistar/shared/testing';
import { subgraph } from '../src/server';

export { codes } from '@fashionistar/shared/testing';

export type CallOptions = CallerHeaders;
export type GqlResult<T = Record<string, unknown>> = SubgraphAnswer<T>;
export type TestVendors = TestSubgraph<
  Awaited<ReturnType<typeof subgraph.start>>['config'],
  Awaited<ReturnType<typeof subgraph.start>>['deps']
>;

/** The vendors subgraph for a test (see startTestSubgraph); seeded unless `SEED=false` is passed. */
export const startTestVendors = (env: Record<string, string> = {}): Promise<TestVendors> => startTestSubgraph(subgraph, { env });

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
