// Sends mail through SMTP (nodemailer). Every message is also kept in the outbox table by the
// caller, so an installation without SMTP (the embedded demo) still shows what would be sent.
import nodemailer from 'nodemailer';

import type { Mailer } from '../services/ports.js';

/** An SMTP mailer for smtp://, smtps:// URLs (user and password in the URL); null without a URL. */
export function smtpMailer(url: string | undefined, from: string): Mailer | null {
  if (!url) return null;
  const transport = nodemailer.createTransport(url);
  return {
    async send(m) {
      const info = await transport.sendMail({
        from,
        to: m.to,
        subject: m.subject,
        text: m.text,
        html: m.html,
      });
      return { messageId: info.messageId };
    },
    close: () => transport.close(),
  };
}

/** Connects to the SMTP server and says hello (nothing is sent); throws when it does not answer. */
export async function checkSmtp(url: string): Promise<void> {
  const transport = nodemailer.createTransport(url);
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      transport.verify(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('the SMTP server did not answer within 5 s')), 5000);
      }),
    ]);
  } finally {
    clearTimeout(timer);
    transport.close();
  }
}
