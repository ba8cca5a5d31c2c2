// The embedded demo's outbox (/outbox): the mail Lanyard sent or would send, for machines with
// no SMTP server. Only registered in embedded mode; it shows every organisation's mail.
import type { FastifyInstance } from 'fastify';
import type { InvitationMailService } from '../../../services/invitation.service.js';

export function outboxRoutes(app: FastifyInstance, mail: Pick<InvitationMailService, 'outbox'>): void {
  app.get('/outbox', async (_req, reply) => {
    const messages = await mail.outbox();
    const page = (
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>Outbox | Lanyard demo</title>
        </head>
        <body style="font-family:system-ui,sans-serif;max-width:48rem;margin:0 auto;padding:0 1rem">
          <main>
            <h1>Outbox</h1>
            <p>
              Mail from this demo installation, newest first. With LANYARD_SMTP_URL set it also goes out by
              SMTP.
            </p>
            {messages.length ? null : <p>No mail yet.</p>}
            {messages.map((m) => (
              <article style="border-top:1px solid #ddd;padding:.5rem 0">
                <h2 style="font-size:1rem">{m.subject}</h2>
                <p>
                  To {m.to_address} · {new Date(m.created_at).toISOString().slice(0, 19).replace('T', ' ')}{' '}
                  UTC · {m.sent_at ? 'sent by SMTP' : 'kept here only'}
                </p>
                <pre style="white-space:pre-wrap">{m.text_body}</pre>
              </article>
            ))}
          </main>
        </body>
      </html>
    );
    return reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(`<!doctype html>${page}`);
  });
}
