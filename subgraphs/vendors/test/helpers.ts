import { randomUUID } from 'node:crypto';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import {
  createDataSource,
  createLogger,
  seedUuid,
  startSubgraphServer,
  type BaseContext,
  type Identity,
  type Infra,
  type Role,
  type RunningServer,
} from '@fashionistar/shared';
import { dataOf, callSubgraph, createTestDatabase, createTestInfra, type TestDatabase } from '@fashionistar/shared/src/testing';
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
  /** The fake identity subgraph's accounts: verified e-mail → user id (edit to add people). */
  emails: Map<string, string>;
  /** Who the fake identity subgraph was asked by, and about which addresses. */
  identityCalls: Array<{ identity: Identity | null; emails: string[] }>;
  stop(): Promise<void>;
}

/**
 * A stand-in for the identity subgraph: the kernel's server (so the router secret is checked as
 * everywhere) answering `userIdsByEmail` from `emails`, and recording who asked.
 */
async function fakeIdentity(
  emails: Map<string, string>,
  calls: TestVendors['identityCalls'],
  secret: string,
  db: TestDatabase,
): Promise<RunningServer> {
  const sdl = `type EmailMatch { email: String! userId: ID! }
               type Query { userIdsByEmail(emails: [String!]!): [EmailMatch!]! }`;
  const resolvers = {
    Query: {
      userIdsByEmail: (_: unknown, args: { emails: string[] }, ctx: BaseContext) => {
        calls.push({ identity: ctx.identity, emails: args.emails });
        return args.emails.flatMap((email) => (emails.has(email) ? [{ email, userId: emails.get(email)! }] : []));
      },
    },
  };
  const ds = createDataSource({ url: db.url, schema: 'fake_identity', entities: [], migrations: [] });
  await ds.initialize();
  const server = await startSubgraphServer({
    name: 'identity',
    port: 0,
    schema: buildSubgraphSchema({ typeDefs: parse(sdl), resolvers: resolvers as never }),
    routerSecret: secret,
    production: false,
    log: createLogger('fake-identity', 'silent'),
    infra: createTestInfra('memory'),
    dataSource: ds,
    buildContext: (base) => base,
  });
  return { ...server, stop: async () => (await server.stop(), await ds.destroy()) };
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
  const emails = new Map<string, string>();
  const identityCalls: TestVendors['identityCalls'] = [];
  const identity = await fakeIdentity(emails, identityCalls, config.ROUTER_SECRET, db);
  const peers = { identity: identity.url };
  const server = await startVendors({ config, databaseUrl: db.url, infra, log: createLogger('vendors-test', 'silent'), port: 0, peers });
  const call: TestVendors['call'] = (query, variables = {}, o = {}) => callSubgraph(server.url, config.ROUTER_SECRET, query, variables, o);
  return {
    server,
    infra,
    call,
    ok: async (query, variables, o) => dataOf(await call(query, variables, o)),
    sql: (text, params) => server.dataSource.query(text, params),
    emails,
    identityCalls,
    stop: async () => {
      await server.stop();
      await identity.stop();
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
