/**
 * The real Twilio SDK (and its axios HTTP path) against a fake Twilio server on loopback: checks
 * the exact request the provider makes and how it reads the answer.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TwilioSmsProvider } from '../src/messaging/providers';

interface Seen {
  method: string;
  url: string;
  authorization: string;
  contentType: string;
  form: Record<string, string>;
}

describe('TwilioSmsProvider against a fake Twilio API', () => {
  let server: Server;
  let base: string;
  const seen: Seen[] = [];
  let failNext = false;

  before(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        seen.push({
          method: req.method ?? '',
          url: req.url ?? '',
          authorization: String(req.headers.authorization ?? ''),
          contentType: String(req.headers['content-type'] ?? ''),
          form: Object.fromEntries(new URLSearchParams(body)),
        });
        if (failNext) {
          failNext = false;
          res.writeHead(400, { 'content-type': 'application/json' });
          return res.end(JSON.stringify({ code: 21211, message: "The 'To' number is not a valid phone number.", status: 400 }));
        }
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ sid: 'SM0123456789abcdef0123456789abcdef', status: 'queued', to: '+2348031234567' }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  it('posts the message form with basic auth and answers the message SID', async () => {
    const provider = new TwilioSmsProvider('AC00000000000000000000000000000001', 'token-xyz', '+15005550006', base);
    const sid = await provider.sendSms({ to: '+2348031234567', body: 'Your Fashionistar code is 123456.' });
    assert.equal(sid, 'SM0123456789abcdef0123456789abcdef');
    const req = seen.at(-1)!;
    assert.equal(req.method, 'POST');
    assert.equal(req.url, '/2010-04-01/Accounts/AC00000000000000000000000000000001/Messages.json');
    assert.equal(req.authorization, `Basic ${Buffer.from('AC00000000000000000000000000000001:token-xyz').toString('base64')}`);
    assert.match(req.contentType, /application\/x-www-form-urlencoded/);
    assert.deepEqual(req.form, { To: '+2348031234567', From: '+15005550006', Body: 'Your Fashionistar code is 123456.' });
  });

  it("rejects with Twilio's error so the queue retries", async () => {
    failNext = true;
    const provider = new TwilioSmsProvider('AC00000000000000000000000000000001', 'token-xyz', '+15005550006', base);
    await assert.rejects(provider.sendSms({ to: '+234', body: 'x' }), /not a valid phone number/);
  });
});
