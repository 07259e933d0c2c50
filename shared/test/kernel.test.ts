/**
 * Unit tests of the shared kernel's pure parts: configuration, errors, validation, identity,
 * authorization helpers, seed ids and loader helpers. No database, no Redis.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import DataLoader from 'dataloader';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { ConfigError, bool, commonSpec, int, loadConfig, oneOf, optionalStr, str } from '../src/config';
import {
  AppError,
  BadUserInputError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  RateLimitedError,
  UnauthenticatedError,
  formatError,
  isExpectedError,
} from '../src/errors';
import { ROLES, decodeIdentity, encodeIdentity, secretMatches, type Identity } from '../src/identity';
import { hasRole, requireRole, requireUser } from '../src/context';
import {
  NIGERIAN_STATES,
  isUuid,
  normalizeCountry,
  normalizeEmail,
  normalizeNigerianState,
  normalizePhone,
  uniqueViolation,
} from '../src/validation';
import { seedUuid } from '../src/seed';
import { LoaderRegistry, byKey, groupByKey } from '../src/loaders';

/** Asserts that `fn` throws a GraphQL error with `code` (and `field`, when given). */
function assertCode(fn: () => unknown, code: string, field?: string): GraphQLError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof GraphQLError, `expected a GraphQLError, got ${String(caught)}`);
  assert.equal(caught.extensions.code, code);
  if (field !== undefined) assert.equal(caught.extensions.field, field);
  return caught;
}

function configError(fn: () => unknown): string {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof ConfigError, `expected a ConfigError, got ${String(caught)}`);
  return caught.message;
}

describe('loadConfig', () => {
  const spec = {
    PORT: int('port', 4000, 1, 65535),
    NAME: str('name', 'svc'),
    DEBUG: bool('debug', false),
    MODE: oneOf('mode', ['a', 'b'] as const, 'a'),
    EXTRA: optionalStr('extra'),
  };

  it('uses defaults for unset and empty variables', () => {
    assert.deepEqual(loadConfig(spec, {}), { PORT: 4000, NAME: 'svc', DEBUG: false, MODE: 'a', EXTRA: undefined });
    assert.deepEqual(loadConfig(spec, { PORT: '', NAME: '', DEBUG: '', MODE: '', EXTRA: '' }), {
      PORT: 4000,
      NAME: 'svc',
      DEBUG: false,
      MODE: 'a',
      EXTRA: undefined,
    });
  });

  it('parses set variables', () => {
    assert.deepEqual(loadConfig(spec, { PORT: '8080', NAME: 'x', DEBUG: 'yes', MODE: 'b', EXTRA: 'e' }), {
      PORT: 8080,
      NAME: 'x',
      DEBUG: true,
      MODE: 'b',
      EXTRA: 'e',
    });
  });

  it('reports every bad variable at once', () => {
    const message = configError(() =>
      loadConfig(
        { ...spec, REQUIRED: str('a required one'), OTHER: int('other', 1) },
        { PORT: 'abc', DEBUG: 'maybe', MODE: 'c', OTHER: '-1' },
      ),
    );
    for (const part of [
      'PORT must be an integer in [1, 65535]',
      'DEBUG must be true or false',
      'MODE must be one of a, b',
      'REQUIRED is required (a required one)',
      'OTHER must be an integer',
    ]) {
      assert.ok(message.includes(part), `missing "${part}" in:\n${message}`);
    }
    assert.equal(message.split('\n  - ').length - 1, 5, 'one line per problem');
  });

  it('refuses a devOnlyDefault in production, and only there', () => {
    const message = configError(() => loadConfig(commonSpec, { NODE_ENV: 'production' }));
    assert.match(message, /ROUTER_SECRET must be set in production/);
    assert.doesNotMatch(message, /REDIS_PREFIX/, 'ordinary defaults are fine in production');
    assert.equal(loadConfig(commonSpec, { NODE_ENV: 'production', ROUTER_SECRET: 'real' }).ROUTER_SECRET, 'real');
    assert.equal(loadConfig(commonSpec, { NODE_ENV: 'development' }).ROUTER_SECRET, 'dev-router-secret-change-me');
    assert.equal(loadConfig(commonSpec, {}).NODE_ENV, 'development');
  });

  it('enforces integer bounds', () => {
    const bounded = { N: int('n', undefined, 1, 10) };
    assert.equal(loadConfig(bounded, { N: '1' }).N, 1);
    assert.equal(loadConfig(bounded, { N: '10' }).N, 10);
    for (const bad of ['0', '11', '1.5', 'ten', '-3']) {
      assert.match(
        configError(() => loadConfig(bounded, { N: bad })),
        /N must be an integer in \[1, 10\]/,
        bad,
      );
    }
    assert.match(
      configError(() => loadConfig(bounded, {})),
      /N is required/,
    );
  });

  it('parses booleans case-insensitively', () => {
    const b = { B: bool('b') };
    for (const t of ['1', 'true', 'TRUE', 'yes', 'On']) assert.equal(loadConfig(b, { B: t }).B, true, t);
    for (const f of ['0', 'false', 'False', 'no', 'OFF']) assert.equal(loadConfig(b, { B: f }).B, false, f);
    for (const bad of ['maybe', 'truthy', '2'])
      assert.match(
        configError(() => loadConfig(b, { B: bad })),
        /B must be true or false/,
      );
  });
});

describe('formatError', () => {
  const base = { message: 'x', locations: [{ line: 1, column: 2 }], path: ['a', 0, 'b'] };

  it('passes expected codes through without the stack trace', () => {
    for (const code of [
      'BAD_USER_INPUT',
      'UNAUTHENTICATED',
      'FORBIDDEN',
      'NOT_FOUND',
      'CONFLICT',
      'RATE_LIMITED',
      'GRAPHQL_VALIDATION_FAILED',
    ]) {
      const formatted: GraphQLFormattedError = {
        ...base,
        message: `m ${code}`,
        extensions: { code, field: 'email', stacktrace: ['at x'] },
      };
      assert.deepEqual(formatError(formatted, true), { ...base, message: `m ${code}`, extensions: { code, field: 'email' } });
    }
  });

  it('masks unknown errors when mask is on', () => {
    const leaky: GraphQLFormattedError = {
      ...base,
      message: 'relation "x" does not exist',
      extensions: { stacktrace: ['at pg'], detail: 'sql' },
    };
    assert.deepEqual(formatError(leaky, true), {
      message: 'Internal server error',
      locations: base.locations,
      path: base.path,
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
    const custom: GraphQLFormattedError = { message: 'downstream said no', extensions: { code: 'DOWNSTREAM_SERVICE_ERROR' } };
    assert.equal(formatError(custom, true).message, 'Internal server error');
    assert.deepEqual(formatError(custom, true).extensions, { code: 'INTERNAL_SERVER_ERROR' });
  });

  it('drops what names our internals from passed-through errors when masking (a subgraph 401 carried its URL and body)', () => {
    const fromGateway: GraphQLFormattedError = {
      message: '401: Unauthorized',
      extensions: {
        code: 'UNAUTHENTICATED',
        serviceName: 'vendors',
        response: { url: 'http://10.0.0.7:4003/graphql', status: 401, body: '{}' },
      },
    };
    assert.deepEqual(formatError(fromGateway, true).extensions, { code: 'UNAUTHENTICATED' });
    assert.ok(formatError(fromGateway, false).extensions?.response, 'kept outside production, for debugging');
  });

  it('keeps unknown errors (minus stack trace) when mask is off', () => {
    const leaky: GraphQLFormattedError = {
      ...base,
      message: 'relation "x" does not exist',
      extensions: { stacktrace: ['at pg'], detail: 'sql' },
    };
    assert.deepEqual(formatError(leaky, false), { ...leaky, extensions: { detail: 'sql', code: 'INTERNAL_SERVER_ERROR' } });
  });
});

describe('error classes', () => {
  it('carry extensions.code and field', () => {
    const bad = new BadUserInputError('Enter a valid e-mail address.', 'input.email');
    assert.ok(bad instanceof GraphQLError && bad instanceof AppError);
    assert.deepEqual(bad.extensions, {
      field: 'input.email',
      fields: [{ path: 'input.email', message: 'Enter a valid e-mail address.' }],
      code: 'BAD_USER_INPUT',
    });
    assert.equal(bad.code, 'BAD_USER_INPUT');
    assert.equal(bad.message, 'Enter a valid e-mail address.');
    assert.deepEqual(new BadUserInputError('no field').extensions, { code: 'BAD_USER_INPUT' });
    assert.deepEqual(new ConflictError('taken', 'email').extensions, { field: 'email', code: 'CONFLICT' });
    assert.equal(new UnauthenticatedError().code, 'UNAUTHENTICATED');
    assert.equal(new ForbiddenError().code, 'FORBIDDEN');
    const nf = new NotFoundError('Order', 'o-1');
    assert.equal(nf.code, 'NOT_FOUND');
    assert.equal(nf.message, 'Order o-1 was not found.');
    assert.equal(new NotFoundError('Store').message, 'Store was not found.');
    assert.deepEqual(new RateLimitedError(30).extensions, { retryAfterSeconds: 30, code: 'RATE_LIMITED' });
  });

  it('isExpectedError is true for client errors only', () => {
    assert.equal(isExpectedError(new BadUserInputError('x')), true);
    assert.equal(isExpectedError(new ForbiddenError()), true);
    assert.equal(isExpectedError(new AppError('x', 'INTERNAL_SERVER_ERROR')), false);
    assert.equal(isExpectedError(new Error('x')), false);
    assert.equal(isExpectedError(new GraphQLError('x', { extensions: { code: 'BAD_USER_INPUT' } })), false);
  });
});

describe('validation', () => {
  it('normalizeEmail trims and lower-cases, and rejects bad addresses naming the field', () => {
    assert.equal(normalizeEmail('  Ada.Obi@Example.COM '), 'ada.obi@example.com');
    for (const bad of [
      '',
      'no-at-sign',
      'a@b',
      'a@b.c',
      'a b@c.com',
      'a@@b.com',
      '@b.com',
      `${'a'.repeat(250)}@b.com`,
      'a\u0000b@c.com',
      'a\u0007@c.com',
    ]) {
      assertCode(() => normalizeEmail(bad), 'BAD_USER_INPUT', 'email');
    }
    assertCode(() => normalizeEmail('nope', 'input.contactEmail'), 'BAD_USER_INPUT', 'input.contactEmail');
  });

  it('normalizePhone reads national numbers as Nigerian and answers E.164', () => {
    assert.equal(normalizePhone('08031234567'), '+2348031234567');
    assert.equal(normalizePhone('+2348031234567'), '+2348031234567');
    assert.equal(normalizePhone(' 0803 123 4567 '), '+2348031234567');
    assert.equal(normalizePhone('+2349012345678'), '+2349012345678');
    // Foreign numbers are fine (a UK mobile, a London landline): only Nigerian ones must be mobile.
    assert.equal(normalizePhone('+447911123456'), '+447911123456');
    assert.equal(normalizePhone('+442071838750'), '+442071838750');
  });

  it('normalizePhone rejects garbage and Nigerian landlines', () => {
    for (const bad of ['', 'abc', '12', '+2340803', '080312345678901']) assertCode(() => normalizePhone(bad), 'BAD_USER_INPUT', 'phone');
    // libphonenumber: +234 1 2345678 (a Lagos-style number) is not a valid Nigerian number at all.
    const lagos = assertCode(() => normalizePhone('+23412345678'), 'BAD_USER_INPUT', 'phone');
    assert.equal(lagos.message, 'Enter a valid phone number.');
    // +234 20 1234 5678 is a valid FIXED_LINE number: refused because OTP needs a mobile.
    const landline = assertCode(() => normalizePhone('+2342012345678', 'input.phone'), 'BAD_USER_INPUT', 'input.phone');
    assert.equal(landline.message, 'Enter a Nigerian mobile number.');
  });

  it('normalizeNigerianState answers canonical names', () => {
    assert.equal(normalizeNigerianState('lagos'), 'Lagos');
    assert.equal(normalizeNigerianState('  LAGOS State '), 'Lagos');
    assert.equal(normalizeNigerianState('akwa   ibom'), 'Akwa Ibom');
    assert.equal(normalizeNigerianState('FCT'), 'Federal Capital Territory');
    assert.equal(normalizeNigerianState('Abuja'), 'Federal Capital Territory');
    assert.equal(NIGERIAN_STATES.length, 37);
    assert.equal(new Set(NIGERIAN_STATES).size, 37);
    for (const s of NIGERIAN_STATES) {
      assert.equal(normalizeNigerianState(s), s);
      assert.equal(normalizeNigerianState(s.toUpperCase()), s);
    }
    const e = assertCode(() => normalizeNigerianState('Atlantis', 'address.state'), 'BAD_USER_INPUT', 'address.state');
    assert.match(e.message, /"Atlantis" is not a Nigerian state/);
    assertCode(() => normalizeNigerianState(''), 'BAD_USER_INPUT', 'state');
  });

  it('normalizeCountry upper-cases two-letter codes and defaults to NG', () => {
    assert.equal(normalizeCountry('ng'), 'NG');
    assert.equal(normalizeCountry(' gh '), 'GH');
    assert.equal(normalizeCountry(null), 'NG');
    assert.equal(normalizeCountry(undefined), 'NG');
    for (const bad of ['NGA', 'N', '12', 'Nigeria', '']) assertCode(() => normalizeCountry(bad), 'BAD_USER_INPUT', 'country');
  });

  it('isUuid', () => {
    assert.equal(isUuid('888e23f3-a9c3-535a-b076-cc57af12ae05'), true);
    assert.equal(isUuid('888E23F3-A9C3-535A-B076-CC57AF12AE05'), true);
    for (const bad of [
      '',
      'abc',
      '888e23f3a9c3535ab076cc57af12ae05',
      '888e23f3-a9c3-535a-b076-cc57af12ae0',
      '888e23f3-a9c3-535a-b076-cc57af12ae05x',
      'g88e23f3-a9c3-535a-b076-cc57af12ae05',
    ]) {
      assert.equal(isUuid(bad), false, bad);
    }
  });

  it('uniqueViolation reads 23505 from the driver error or the error itself', () => {
    assert.equal(uniqueViolation({ driverError: { code: '23505', constraint: 'app_user_email_key' } }), 'app_user_email_key');
    assert.equal(uniqueViolation({ code: '23505', constraint: 'x_key' }), 'x_key');
    assert.equal(uniqueViolation({ code: '23505' }), 'unique');
    assert.equal(uniqueViolation({ driverError: { code: '23503', constraint: 'fk' } }), null);
    assert.equal(uniqueViolation(new Error('x')), null);
  });
});

describe('identity', () => {
  const identity: Identity = { userId: 'u-1', roles: ['CUSTOMER', 'VENDOR'], sessionId: 's-1' };

  it('round-trips through the forwarded header', () => {
    const header = encodeIdentity(identity);
    assert.match(header, /^[A-Za-z0-9_-]+$/, 'base64url, safe in a header');
    assert.deepEqual(decodeIdentity(header), identity);
  });

  it('treats a missing or malformed header as no identity', () => {
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    for (const bad of [
      undefined,
      '',
      '!!!',
      Buffer.from('not json').toString('base64url'),
      b64(null),
      b64('str'),
      b64({ userId: 'u', roles: ['ADMIN'] }),
      b64({ userId: 1, sessionId: 's', roles: [] }),
      b64({ userId: 'u', sessionId: 's', roles: 'ADMIN' }),
    ]) {
      assert.equal(decodeIdentity(bad), null, String(bad));
    }
  });

  it('drops unknown roles and extra fields', () => {
    const header = Buffer.from(JSON.stringify({ userId: 'u', sessionId: 's', roles: ['ADMIN', 'GOD', 42, 'admin'], evil: true })).toString(
      'base64url',
    );
    assert.deepEqual(decodeIdentity(header), { userId: 'u', sessionId: 's', roles: ['ADMIN'] });
    assert.deepEqual([...ROLES], ['CUSTOMER', 'VENDOR', 'ADMIN', 'DELIVERY']);
  });

  it('secretMatches compares exactly', () => {
    assert.equal(secretMatches('s3cret', 's3cret'), true);
    for (const bad of [undefined, '', 's3cre', 's3cret!', 'S3cret', 's3creT'])
      assert.equal(secretMatches(bad, 's3cret'), false, String(bad));
  });

  it('requireUser and requireRole', () => {
    assertCode(() => requireUser({ identity: null }), 'UNAUTHENTICATED');
    assert.equal(requireUser({ identity }), identity);
    assertCode(() => requireRole({ identity: null }, 'ADMIN'), 'UNAUTHENTICATED');
    assertCode(() => requireRole({ identity }, 'ADMIN'), 'FORBIDDEN');
    assertCode(() => requireRole({ identity: { ...identity, roles: [] } }, 'CUSTOMER'), 'FORBIDDEN');
    assert.equal(requireRole({ identity }, 'ADMIN', 'VENDOR'), identity);
    assert.equal(hasRole({ identity }, 'VENDOR'), true);
    assert.equal(hasRole({ identity }, 'ADMIN'), false);
    assert.equal(hasRole({ identity: null }, 'ADMIN'), false);
  });
});

describe('seedUuid', () => {
  it('is stable across runs and shaped like a v5 UUID', () => {
    // Pinned: every subgraph's seed derives the same ids, so the derivation must never change.
    assert.equal(seedUuid('user:vendor1@fashionistar.test'), '888e23f3-a9c3-535a-b076-cc57af12ae05');
    assert.equal(seedUuid('store:1'), seedUuid('store:1'));
    assert.notEqual(seedUuid('store:1'), seedUuid('store:2'));
    const v5 = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    for (let i = 0; i < 200; i++) {
      const id = seedUuid(`n:${i}`);
      assert.match(id, v5);
      assert.equal(isUuid(id), true);
      // Everything but the version and variant nibbles comes from the SHA-1 of the name.
      const h = createHash('sha1').update(`fashionistar-seed:n:${i}`).digest('hex');
      assert.equal(id.replace(/-/g, '').slice(0, 12), h.slice(0, 12));
      assert.equal(id.replace(/-/g, '').slice(17), h.slice(17, 32));
    }
  });
});

describe('loader helpers', () => {
  const rows = [
    { id: 'a', owner: 'x', n: 1 },
    { id: 'b', owner: 'y', n: 2 },
    { id: 'c', owner: 'x', n: 3 },
  ];

  it('byKey orders rows by keys, null for missing, repeats duplicates', () => {
    assert.deepEqual(
      byKey(['c', 'zz', 'a', 'c'], rows, (r) => r.id).map((r) => r?.n ?? null),
      [3, null, 1, 3],
    );
    assert.deepEqual(
      byKey([], rows, (r) => r.id),
      [],
    );
  });

  it('groupByKey groups in row order, [] for missing', () => {
    assert.deepEqual(
      groupByKey(['y', 'none', 'x'], rows, (r) => r.owner).map((g) => g.map((r) => r.n)),
      [[2], [], [1, 3]],
    );
  });

  it('LoaderRegistry makes one loader per name', async () => {
    const registry = new LoaderRegistry();
    let made = 0;
    const make = () => {
      made++;
      return new DataLoader<string, string>(async (keys) => keys.map((k) => k.toUpperCase()));
    };
    const first = registry.get('upper', make);
    assert.equal(registry.get('upper', make), first);
    assert.equal(made, 1);
    assert.notEqual(registry.get('other', make), first);
    assert.equal(made, 2);
    assert.notEqual(new LoaderRegistry().get('upper', make), first, 'registries (requests) do not share loaders');
    assert.deepEqual(await Promise.all([first.load('a'), first.load('b')]), ['A', 'B']);
  });
});
