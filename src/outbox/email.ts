import nodemailer from 'nodemailer';
import type { EmailPayload } from './outbox.repo.js';

/**
 * The outbox's e-mail sender: nodemailer over SMTP_URL (smtp:// with STARTTLS when the server offers it, or smtps://).
 * Time limits keep a dead mail server from holding a worker; a refusal or time-out is an attempt that failed.
 */
export function makeEmailSender(smtpUrl: string, from: string) {
  const transport = nodemailer.createTransport({ url: smtpUrl, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 } as Parameters<typeof nodemailer.createTransport>[0]);
  return {
    send: async (payload: EmailPayload) => {
      await transport.sendMail({ from, to: payload.to, subject: payload.subject, text: payload.text });
    },
    close: () => transport.close(),
  };
}
