/** The problem collector: every input problem answered at once, with argument-relative paths. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BadUserInputError, UnauthenticatedError } from '../src/errors';
import { Problems, normalizeEmail, requireText, validateAll } from '../src/validation';

function caught(fn: () => unknown): BadUserInputError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof BadUserInputError);
    return error;
  }
  assert.fail('expected BAD_USER_INPUT');
}

describe('Problems', () => {
  it('answers every problem, the first as message and field', () => {
    const e = caught(() =>
      validateAll((p) => {
        p.check('input.email', () => normalizeEmail('nope'));
        p.add('input.password', 'Use at least 8 characters.');
        p.check('input.firstName', () => requireText('  ', 'firstName'));
      }),
    );
    assert.equal(e.extensions.code, 'BAD_USER_INPUT');
    assert.equal(e.extensions.field, 'input.email');
    assert.equal(e.message, 'Enter a valid e-mail address.');
    assert.deepEqual(
      (e.extensions.fields as Array<{ path: string }>).map((f) => f.path),
      ['input.email', 'input.password', 'input.firstName'],
    );
  });

  it('answers the value when the check passes and throws nothing without problems', () => {
    const email = validateAll((p) => p.check('input.email', () => normalizeEmail(' A@B.co ')));
    assert.equal(email, 'a@b.co');
  });

  it('keeps nested paths of a multi-problem error under the given prefix', () => {
    const inner = new BadUserInputError('x', 'url', [
      { path: '0.url', message: 'bad url' },
      { path: '2.alt', message: 'too long' },
    ]);
    const e = caught(() =>
      validateAll((p) =>
        p.check('input.images', () => {
          throw inner;
        }),
      ),
    );
    assert.deepEqual(e.extensions.fields, [
      { path: 'input.images.0.url', message: 'bad url' },
      { path: 'input.images.2.alt', message: 'too long' },
    ]);
  });

  it('lets other errors through untouched', () => {
    const p = new Problems();
    assert.throws(
      () =>
        p.check('x', () => {
          throw new UnauthenticatedError();
        }),
      UnauthenticatedError,
    );
    assert.equal(p.any, false);
  });

  it('a single-field error carries fields with that one problem; UNAUTHENTICATED carries a reason', () => {
    assert.deepEqual(new BadUserInputError('m', 'first').extensions.fields, [{ path: 'first', message: 'm' }]);
    assert.equal(new UnauthenticatedError().extensions.reason, 'SIGN_IN_REQUIRED');
    assert.equal(new UnauthenticatedError('x', 'TOKEN_EXPIRED').extensions.reason, 'TOKEN_EXPIRED');
  });
});
