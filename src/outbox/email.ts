import type { Transporter } from 'nodemailer';
import type { EmailPayload } from './outbox.repo.js';

/**
 * The outbox's e-mail sender: nodemailer over SMTP_URL (smtp:// with STARTTLS when the server offers it, or smtps://).
 * Time limits keep a dead mail server from holding a worker; a refusal or time-out is an attempt that failed.
 */
export function makeEmailSender(smtpUrl: string, from: string) {
  // nodemailer is loaded with the first message, not at start (a start loads nothing it does not need to answer)
  let transport: Promise<Transporter> | undefined;
  const transportOf = () =>
    (transport ??= import('nodemailer').then(({ default: nodemailer }) =>
      nodemailer.createTransport({ url: smtpUrl, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 } as Parameters<typeof nodemailer.createTransport>[0]),
    ));
  return {
    send: async (payload: EmailPayload) => {
      await (await transportOf()).sendMail({ from, to: payload.to, subject: payload.subject, text: payload.text });
    },
    close: () => void transport?.then((t) => t.close()),
  };
}
