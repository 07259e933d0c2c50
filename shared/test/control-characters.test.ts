import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { DataSource } from 'typeorm';
import { BadUserInputError, createLogger, lookupText, normalizeEmail, normalizePhone, optionalText, requireText } from '../src/index';
import { createTestDatabase } from '../src/testing';

describe('control characters in text input', () => {
  it('are refused by the text validators with BAD_USER_INPUT naming the field, except tab, LF and CR', () => {
    // C0 and DEL, C1 (U+0085 NEL), line/paragraph separators, bidi overrides and isolates (spoofing).
    const refused = [
      '\u0001',
      '\u0007',
      '\u0008',
      '\u000b',
      '\u000c',
      '\u001b',
      '\u001f',
      '\u007f',
      '\u0085',
      '\u2028',
      '\u202e',
      '\u2067',
    ];
    for (const ch of refused) {
      for (const check of [
        () => requireText(`a${ch}b`, 'name'),
        () => optionalText(`a${ch}b`, 'name'),
        () => lookupText(`a${ch}b`, 'name'),
        () => normalizeEmail(`a${ch}@example.com`, 'name'),
        () => normalizePhone(`0803${ch}1234567`, 'name'),
      ]) {
        assert.throws(check, (e: unknown) => e instanceof BadUserInputError && e.extensions.field === 'name', JSON.stringify(ch));
      }
    }
    assert.equal(requireText('a\tb\r\nc', 'name'), 'a\tb\r\nc');
    // Joiners (emoji sequences) and plain direction marks (RTL text) are text, not controls.
    assert.equal(requireText('👩\u200d💻 \u200fשלום', 'name'), '👩\u200d💻 \u200fשלום');
    assert.equal(optionalText(' \t ', 'name'), null);
    assert.equal(lookupText('', 'slug'), '');
  });
});

describe('logs of failed SQL', () => {
  it('never carry the bound parameters nor the driver detail (which repeats them)', async () => {
    const db = await createTestDatabase();
    const ds = new DataSource({ type: 'postgres', url: db.url });
    await ds.initialize();
    let out = '';
    const log = createLogger('t', 'info', new Writable({ write: (c: Buffer, _e, done) => ((out += c.toString()), done()) }));
    try {
      await ds.query(`CREATE TABLE person (email text UNIQUE)`);
      await ds.query(`INSERT INTO person (email) VALUES ($1)`, ['secret.person@example.com']);
      const error = await ds.query(`INSERT INTO person (email) VALUES ($1)`, ['secret.person@example.com']).catch((e: unknown) => e);
      log.error({ err: error }, 'request failed');
      assert.match(out, /duplicate key/, 'the failure itself is logged');
      assert.doesNotMatch(out, /secret\.person/);
    } finally {
      await ds.destroy();
      await db.drop();
    }
  });
});
