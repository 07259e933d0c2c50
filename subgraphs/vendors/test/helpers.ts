import { randomUUID } from 'node:crypto';
import { ForbiddenError, seedUuid, type BaseContext, type Identity, type Role } from '@fashionistar/shared';
import {
  startFakeSubgraph,
  startTestSubgraph,
  type CallerHeaders,
  type SubgraphAnswer,
  type TestSubgraph,
} from '@fashionistar/shared/testing';
import { subgraph } from '../src/server';

export { codes } from '@fashionistar/shared/testing';

export type CallOptions = CallerHeaders;
export type GqlResult<T = Record<string, unknown>> = SubgraphAnswer<T>;
type Running = Awaited<ReturnType<typeof subgraph.start>>;

export interface TestVendors extends TestSubgraph<Running['config'], Running['deps']> {
  /** The fake identity subgraph's accounts: verified e-mail → user id (edit to add people). */
  emails: Map<string, string>;
  /** Who the fake identity subgraph was asked by, and about which addresses. */
  identityCalls: Array<{ identity: Identity | null; emails: string[] }>;
  /** The fake identity's contact details by user id (edit to add people; unknown ids are left out). */
  contacts: Map<string, { email: string | null; phone: string | null }>;
  /** Every `userContacts` call: who asked, about which ids. */
  contactCalls: Array<{ identity: Identity | null; ids: string[] }>;
  /** Every `grantVendorRole` call: who asked, for whom. */
  grants: Array<{ identity: Identity | null; userId: string }>;
}

/**
 * The vendors subgraph for a test (see startTestSubgraph), seeded unless `SEED=false` is passed,
 * beside a fake identity subgraph answering `userIdsByEmail` from `emails` and recording who asked.
 */
export async function startTestVendors(env: Record<string, string> = {}): Promise<TestVendors> {
  const peers: Record<string, string> = {};
  const t = await startTestSubgraph(subgraph, { env, peers });
  const emails = new Map<string, string>();
  const identityCalls: TestVendors['identityCalls'] = [];
  const contacts: TestVendors['contacts'] = new Map();
  const contactCalls: TestVendors['contactCalls'] = [];
  const grants: TestVendors['grants'] = [];
  const identity = await startFakeSubgraph({
    name: 'identity',
    typeDefs: `type EmailMatch { email: String! userId: ID! }
               type UserContact { userId: ID! email: String phone: String }
               type RoleGrant { userId: ID! roles: [String!]! granted: Boolean! }
               type Query { userIdsByEmail(emails: [String!]!): [EmailMatch!]! userContacts(ids: [ID!]!): [UserContact!]! }
               type Mutation { grantVendorRole(userId: ID!): RoleGrant! }`,
    resolvers: {
      Query: {
        userIdsByEmail: (_: unknown, args: { emails: string[] }, ctx: BaseContext) => {
          identityCalls.push({ identity: ctx.identity, emails: args.emails });
          return args.emails.flatMap((email) => (emails.has(email) ? [{ email, userId: emails.get(email)! }] : []));
        },
        userContacts: (_: unknown, args: { ids: string[] }, ctx: BaseContext) => {
          contactCalls.push({ identity: ctx.identity, ids: args.ids });
          return args.ids.flatMap((id) => (contacts.has(id) ? [{ userId: id, ...contacts.get(id)! }] : []));
        },
      },
      Mutation: {
        // Like identity: the caller's own account only; the roles are the token's plus VENDOR.
        grantVendorRole: (_: unknown, args: { userId: string }, ctx: BaseContext) => {
          grants.push({ identity: ctx.identity, userId: args.userId });
          if (!ctx.identity || ctx.identity.userId !== args.userId) throw new ForbiddenError('Only your own account.');
          const granted = !ctx.identity.roles.includes('VENDOR');
          return { userId: args.userId, roles: granted ? [...ctx.identity.roles, 'VENDOR'] : ctx.identity.roles, granted };
        },
      },
    },
    routerSecret: t.server.config.ROUTER_SECRET,
    dataSource: t.server.dataSource,
  });
  peers.identity = identity.url;
  return {
    ...t,
    emails,
    identityCalls,
    contacts,
    contactCalls,
    grants,
    stop: async () => {
      await identity.stop();
      await t.stop();
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

export const INVITE = `mutation($email: String!, $role: MemberRole) { inviteStoreMember(email: $email, role: $role) }`;
export const MY_INVITATIONS = `{ myStoreInvitations { id role invitedBy expiresAt vendor { id } } }`;
export const ACCEPT = `mutation($id: ID!) { acceptStoreInvitation(id: $id) { id members { userId role } } }`;

/**
 * Makes `who` (a fresh user by default) a member of the owner's store the way a person becomes
 * one: the fake identity knows their verified e-mail, the owner invites it, they accept.
 */
export async function addMember(
  t: TestVendors,
  owner: Identity,
  role: 'OWNER' | 'STAFF' = 'STAFF',
  who: Identity = user('VENDOR', 'CUSTOMER'),
): Promise<Identity> {
  const email = `m-${who.userId}@example.test`;
  t.emails.set(email, who.userId);
  await t.ok(INVITE, { email, role }, { identity: owner });
  const mine = (await t.ok<{ myStoreInvitations: Array<{ id: string }> }>(MY_INVITATIONS, {}, { identity: who })).myStoreInvitations;
  await t.ok(ACCEPT, { id: mine[0]!.id }, { identity: who });
  return who;
}
