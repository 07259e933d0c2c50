import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { codes, startStack, type Stack } from '../src/stack';

const PASSWORD = 'Str0ng-Passw0rd';
/** The schemas of the stack's subgraphs: every table of each is scanned for the person's data. */
const SCHEMAS = ['identity', 'vendors', 'catalog', 'reviews'];

type Result<T> = { status: number; data?: T | null; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };

/**
 * NDPA erasure on request, through the router: a person uses every part of the platform that
 * stores something about them, deletes the account, and afterwards no table of any subgraph
 * holds their e-mail (current or pending), phone or name, their store is CLOSED and its products
 * are gone from the storefront.
 */
describe('account lifecycle: deletion erases the person everywhere', () => {
  let s: Stack;
  const gql = <T>(query: string, variables: Record<string, unknown> = {}, token?: string) =>
    s.gql(query, variables, token) as Promise<Result<T>>;
  const ok = async <T>(query: string, variables: Record<string, unknown> = {}, token?: string): Promise<T> => {
    const r = await gql<T>(query, variables, token);
    assert.equal(r.errors, undefined, `${query.slice(0, 60)}: ${JSON.stringify(r.errors)}`);
    return r.data as T;
  };
  const login = async (email: string, password = 'Passw0rd!') =>
    (
      await ok<{ login: { accessToken: string } }>(`mutation($i: LoginInput!) { login(input: $i) { accessToken } }`, {
        i: { email, password },
      })
    ).login.accessToken;
  const eventually = async (what: string, check: () => Promise<boolean>, ms = 15000) => {
    const end = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > end) throw new Error(`not in time: ${what}`);
      await new Promise((r) => setTimeout(r, 150));
    }
  };

  /**
   * Every table of every subgraph's schema, whatever its columns, the whole row as text: the
   * values of `values` found, as "value in schema.table (rows)".
   */
  const scan = async (values: string[]): Promise<string[]> => {
    const tables: Array<{ table_schema: string; table_name: string }> = await s.identity.dataSource.query(
      `SELECT table_schema, table_name FROM information_schema.tables
        WHERE table_schema = ANY($1) AND table_type = 'BASE TABLE' ORDER BY 1, 2`,
      [SCHEMAS],
    );
    assert.ok(tables.length > 20, `scanned ${tables.length} tables`);
    const found: string[] = [];
    for (const value of values) {
      for (const { table_schema, table_name } of tables) {
        const [hit]: Array<{ n: number }> = await s.identity.dataSource.query(
          `SELECT count(*)::int AS n FROM "${table_schema}"."${table_name}" t WHERE t::text ILIKE '%' || $1 || '%'`,
          [value],
        );
        if (hit!.n) found.push(`${value} in ${table_schema}.${table_name} (${hit!.n})`);
      }
    }
    return found;
  };

  before(async () => {
    s = await startStack({}, {}, { SEED_SCALE: '20' });
  });
  after(() => s.stop());

  it('a vendor who shopped and reviewed deletes the account: store CLOSED, products gone, no trace of the person', async () => {
    // Distinctive values, so a hit in the scan below can only be this person's data.
    const tag = String(randomInt(100000, 999999));
    const email = `zebedee.qorwynn.${tag}@example.com`;
    const pendingEmail = `zq.moving.${tag}@example.org`;
    const phone = `+234803${tag}${randomInt(0, 9)}`;
    const firstName = 'Zebedeequill';
    const lastName = 'Qorwynnsonne';
    const admin = await login('admin@fashionistar.test');
    const lastBody = async (to: string) =>
      (
        await ok<{ sentMessages: Array<{ body: string }> }>(
          `query($to: String) { sentMessages(to: $to, first: 1) { body } }`,
          { to },
          admin,
        )
      ).sentMessages[0]!.body;

    // Registers (a sign-up link goes out), verifies e-mail and phone.
    let token = (
      await ok<{ register: { accessToken: string; user: { id: string } } }>(
        `mutation($i: RegisterInput!) { register(input: $i) { accessToken user { id } } }`,
        { i: { email, phone, password: PASSWORD, firstName, lastName, role: 'VENDOR' } },
      )
    ).register.accessToken;
    await ok(`mutation($t: String!) { verifyEmail(token: $t) }`, { t: /token=([\w-]+)/.exec(await lastBody(email))![1] });
    await ok(`mutation { requestPhoneVerification }`, {}, token);
    await ok(`mutation($c: String!) { verifyPhone(code: $c) { id } }`, { c: /\b(\d{6})\b/.exec(await lastBody(phone))![1] }, token);
    // Asks for codes and links that stay unused, and starts a change of e-mail it never confirms.
    await ok(`mutation($i: RequestPasswordResetInput!) { requestPasswordReset(input: $i) }`, { i: { email } });
    await ok(`mutation($i: RequestPasswordResetInput!) { requestPasswordReset(input: $i) }`, { i: { phone } });
    await ok(`mutation($e: String!, $p: String!) { changeEmail(newEmail: $e, password: $p) }`, { e: pendingEmail, p: PASSWORD }, token);
    await gql(`mutation($i: LoginInput!) { login(input: $i) { accessToken } }`, { i: { email, password: 'Wrong-Passw0rd1' } });
    await ok(
      `mutation($i: AddressInput!) { addAddress(input: $i) { id } }`,
      { i: { fullName: `${firstName} ${lastName}`, phone, line1: '12 Allen Avenue', city: 'Ikeja', state: 'Lagos' } },
      token,
    );

    // Opens a store with their own contact details, sends KYC, gets approved, sells a product.
    const store = (
      await ok<{ applyAsVendor: { id: string } }>(
        `mutation($i: ApplyAsVendorInput!) { applyAsVendor(input: $i) { id } }`,
        { i: { name: `Lagoon Threads ${tag}`, contactEmail: email, contactPhone: phone } },
        token,
      )
    ).applyAsVendor;
    await ok(
      `mutation($i: SubmitKycInput!) { submitKyc(input: $i) { id } }`,
      { i: { documentType: 'NIN', documentUrl: `https://docs.example.com/kyc/${tag}/nin.pdf` } },
      token,
    );
    await ok(`mutation($id: ID!) { approveVendor(id: $id) { status } }`, { id: store.id }, admin);
    const { categories } = await ok<{ categories: Array<{ id: string }> }>(`{ categories { id } }`);
    const product = (
      await ok<{ createProduct: { id: string } }>(
        `mutation($i: CreateProductInput!) { createProduct(input: $i) { id } }`,
        {
          i: {
            title: `Lagoon Wrap ${tag}`,
            description: 'Hand-dyed adire wrap.',
            price: '15000.00',
            categoryId: categories[0]!.id,
            stock: 3,
          },
        },
        token,
      )
    ).createProduct;
    await ok(`mutation($id: ID!) { publishProduct(id: $id) { status } }`, { id: product.id }, token);
    const listed = async () =>
      (
        await ok<{ products: { edges: Array<{ node: { id: string } }> } }>(
          `query($v: ID) { products(first: 10, filter: { vendorId: $v }) { edges { node { id } } } }`,
          { v: store.id },
        )
      ).products.edges.some((e) => e.node.id === product.id);
    assert.equal(await listed(), true);

    // Also shops: the API has no way yet to hold two roles, so the test grants CUSTOMER directly.
    await s.identity.dataSource.query(`UPDATE identity.app_user SET roles = '{VENDOR,CUSTOMER}' WHERE email = $1`, [email]);
    token = await login(email, PASSWORD);
    const { products } = await ok<{ products: { edges: Array<{ node: { id: string; vendor: { id: string } } }> } }>(
      `{ products(first: 10) { edges { node { id vendor { id } } } } }`,
    );
    // Another store's product: members may not review their own store's (the member matrix).
    const elsewhere = products.edges.find((e) => e.node.vendor.id !== store.id)!;
    await ok(
      `mutation($i: AddReviewInput!) { addReview(input: $i) { id } }`,
      { i: { productId: elsewhere.node.id, rating: 5, title: 'Great', body: 'The colours are even nicer in person.' } },
      token,
    );

    // The scan sees each value before the deletion, so its empty answer afterwards means something.
    const before = await scan([email, pendingEmail, phone, firstName, lastName]);
    for (const value of [email, pendingEmail, phone, firstName, lastName]) {
      assert.ok(
        before.some((f) => f.startsWith(`${value} in `)),
        `${value} found before deletion: ${before.join('; ')}`,
      );
    }

    await ok(`mutation($p: String!) { deleteAccount(password: $p) }`, { p: PASSWORD }, token);

    await eventually('the product leaves the storefront', async () => !(await listed()));
    const status = async () =>
      (
        await ok<{ adminVendors: { edges: Array<{ node: { id: string; status: string } }> } }>(
          `{ adminVendors(first: 100) { edges { node { id status } } } }`,
          {},
          admin,
        )
      ).adminVendors.edges.find((e) => e.node.id === store.id)?.node.status;
    await eventually('the store is CLOSED', async () => (await status()) === 'CLOSED');
    assert.deepEqual(codes(await gql(`mutation($id: ID!) { approveVendor(id: $id) { status } }`, { id: store.id }, admin)), ['CONFLICT']);

    const left = await scan([email, pendingEmail, phone, firstName, lastName]);
    assert.deepEqual(left, [], 'no table keeps the e-mail, pending e-mail, phone or name');
  });
});
