import type { Twilio } from 'twilio';
import type { Transporter } from 'nodemailer';
import { loadConfig, optionalStr } from '../config';

/** One outgoing SMS. */
export interface SmsRequest {
  to: string;
  body: string;
}

/** One outgoing e-mail. */
export interface EmailRequest {
  to: string;
  subject: string;
  text: string;
}

export interface SmsProvider {
  readonly name: string;
  /** Sends and answers the provider's reference for the message. */
  sendSms(req: SmsRequest): Promise<string>;
}

export interface EmailProvider {
  readonly name: string;
  sendEmail(req: EmailRequest): Promise<string>;
}

export interface MessageProviders {
  sms?: SmsProvider;
  email?: EmailProvider;
}

/** SMS through Twilio's Messages API. */
export class TwilioSmsProvider implements SmsProvider {
  readonly name = 'twilio';
  private readonly client: Twilio;
  /**
   * @param apiBaseUrl sends to another host speaking Twilio's API instead of api.twilio.com
   *   (tests point it at a fake server, so the SDK's real HTTP path is exercised).
   */
  constructor(
    accountSid: string,
    authToken: string,
    private readonly from: string,
    apiBaseUrl?: string,
  ) {
    // Required here, not at the top: the SDK is large and most processes never send SMS.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const twilio = require('twilio') as typeof import('twilio');
    let httpClient: InstanceType<typeof twilio.RequestClient> | undefined;
    if (apiBaseUrl) {
      httpClient = new twilio.RequestClient();
      const send = httpClient.request.bind(httpClient);
      httpClient.request = (opts) => send({ ...opts, uri: opts.uri.replace(/^https:\/\/api\.twilio\.com/, apiBaseUrl) });
    }
    this.client = twilio(accountSid, authToken, { httpClient });
  }
  async sendSms(req: SmsRequest): Promise<string> {
    const msg = await this.client.messages.create({ to: req.to, from: this.from, body: req.body });
    return msg.sid;
  }
}

/** E-mail over SMTP. */
export class SmtpEmailProvider implements EmailProvider {
  readonly name = 'smtp';
  private readonly transport: Transporter;
  constructor(
    url: string,
    private readonly from: string,
  ) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const nodemailer = require('nodemailer') as typeof import('nodemailer');
    this.transport = nodemailer.createTransport(url);
  }
  async sendEmail(req: EmailRequest): Promise<string> {
    const info = await this.transport.sendMail({ from: this.from, to: req.to, subject: req.subject, text: req.text });
    return String(info.messageId);
  }
}

/**
 * A test double that records the exact requests it was asked to send, and can be told to fail
 * the next N sends (to test retries).
 */
export class RecordingProvider implements SmsProvider, EmailProvider {
  readonly name = 'recording';
  readonly sms: SmsRequest[] = [];
  readonly emails: EmailRequest[] = [];
  failNext = 0;
  async sendSms(req: SmsRequest): Promise<string> {
    this.maybeFail();
    this.sms.push(req);
    return `sms-${this.sms.length}`;
  }
  async sendEmail(req: EmailRequest): Promise<string> {
    this.maybeFail();
    this.emails.push(req);
    return `email-${this.emails.length}`;
  }
  private maybeFail() {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('provider unavailable (recording double)');
    }
  }
}

/** Credentials of the message providers; a channel without all of its own stays STORED. */
export const messagingSpec = {
  TWILIO_ACCOUNT_SID: optionalStr('Twilio account SID (SMS)'),
  TWILIO_AUTH_TOKEN: optionalStr('Twilio auth token (SMS)'),
  TWILIO_FROM: optionalStr('Twilio sender number or messaging service (SMS)'),
  SMTP_URL: optionalStr('SMTP URL for e-mail, e.g. smtps://user:pass@smtp.example.com'),
  MAIL_FROM: optionalStr('sender of e-mails, e.g. "Fashionistar <no-reply@example.com>"'),
};

/** Providers from the environment: each is configured only when all its credentials are set. */
export function providersFromEnv(env: NodeJS.ProcessEnv = process.env): MessageProviders {
  const c = loadConfig(messagingSpec, env);
  const out: MessageProviders = {};
  if (c.TWILIO_ACCOUNT_SID && c.TWILIO_AUTH_TOKEN && c.TWILIO_FROM) {
    out.sms = new TwilioSmsProvider(c.TWILIO_ACCOUNT_SID, c.TWILIO_AUTH_TOKEN, c.TWILIO_FROM);
  }
  if (c.SMTP_URL && c.MAIL_FROM) out.email = new SmtpEmailProvider(c.SMTP_URL, c.MAIL_FROM);
  return out;
}
