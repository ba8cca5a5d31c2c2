// Mail from the organisation to a person: the invitation to connect an ORCID iD, and the
// re-consent message after they removed the organisation's access at ORCID. Each is from the
// organisation (its name, its support contact) and links to its portal. Text and HTML parts; the
// HTML escapes every value (hono/jsx).
import type { MailMessage } from '../services/ports.js';

export interface InvitationContent {
  to: string;
  givenNames: string | null;
  organisation: string;
  portalUrl: string;
  supportContact: string;
  /** What the organisation will add to the record (e.g. "your employment"), counted. */
  pendingItems: number;
  /** A reminder of an invitation sent before (the person has not connected yet). */
  reminder?: boolean;
}

type Recipient = Omit<InvitationContent, 'pendingItems'>;

/** One message in the organisation's layout: paragraphs, the portal link, closing paragraphs. */
function organisationMail(
  c: Recipient,
  m: { subject: string; lead: string[]; linkIntro: string; button: string; closing: string[] },
): MailMessage {
  const greeting = c.givenNames ? `Dear ${c.givenNames},` : 'Hello,';
  const text = [
    greeting,
    '',
    ...m.lead.flatMap((p) => [p, '']),
    m.linkIntro,
    c.portalUrl,
    '',
    ...m.closing.flatMap((p) => [p, '']),
    `Questions: ${c.supportContact}`,
  ].join('\n');
  const html = (
    <html lang="en">
      <body style="font-family:system-ui,sans-serif;line-height:1.5;color:#1f1f1f">
        <p style="font-weight:700;font-size:1.1rem;border-bottom:3px solid #a6ce39;padding-bottom:.5rem">
          {c.organisation}
        </p>
        <p>{greeting}</p>
        {m.lead.map((p) => (
          <p>{p}</p>
        ))}
        <p>
          <a
            href={c.portalUrl}
            style="background:#2e7d32;color:#fff;padding:.55rem 1rem;border-radius:4px;text-decoration:none"
          >
            {m.button}
          </a>
        </p>
        {m.closing.map((p) => (
          <p>{p}</p>
        ))}
        <p style="color:#4d4d4d">Questions: {c.supportContact}</p>
      </body>
    </html>
  );
  return { to: c.to, subject: m.subject, text, html: `<!doctype html>${html.toString()}` };
}

export function invitationMail(c: InvitationContent): MailMessage {
  const what =
    c.pendingItems === 1
      ? `${c.organisation} has 1 item to add to your ORCID record`
      : `${c.organisation} has ${c.pendingItems} items to add to your ORCID record`;
  return organisationMail(c, {
    subject: `${c.reminder ? 'Reminder: ' : ''}${c.organisation}: connect your ORCID iD`,
    lead: [
      ...(c.reminder
        ? [`We wrote to you before: you have not connected your ORCID iD to ${c.organisation} yet.`]
        : []),
      `${what}, such as your affiliation with us. We can add them only with your permission.`,
    ],
    linkIntro: `Sign in with your ${c.organisation} account and connect your ORCID iD here:`,
    button: 'Connect your ORCID iD',
    closing: ['You stay in control: you can see what we added, and disconnect at any time.'],
  });
}

/** The person's grant ends soon: what it lets the organisation do, and how to renew it. */
export function renewalMail(c: Recipient & { expiresAt: Date | null }): MailMessage {
  const when = c.expiresAt ? c.expiresAt.toISOString().slice(0, 10) : 'soon';
  return organisationMail(c, {
    subject: `${c.organisation}: your ORCID permission ends ${c.expiresAt ? `on ${when}` : 'soon'}`,
    lead: [
      `The permission you gave ${c.organisation} to keep your ORCID record up to date ends ${c.expiresAt ? `on ${when}` : 'soon'}. After that we can no longer add or update your affiliation and other items.`,
    ],
    linkIntro: 'To keep it, connect your ORCID iD again here (it takes a minute):',
    button: 'Renew your ORCID permission',
    closing: ['If you would rather let it end, there is nothing to do.'],
  });
}

/** ORCID merged the person's record into another (the primary): connect that one. */
export function primaryMail(c: Recipient & { primaryOrcid: string | null }): MailMessage {
  const into = c.primaryOrcid ? `into ${c.primaryOrcid}` : 'into another record';
  return organisationMail(c, {
    subject: `${c.organisation}: your ORCID record was merged`,
    lead: [
      `ORCID merged the record you connected with ${c.organisation} ${into}. To keep your affiliation and other items up to date, connect that ORCID iD instead.`,
    ],
    linkIntro: 'Sign in and connect your ORCID iD here (sign in to ORCID with the record you use now):',
    button: 'Connect your ORCID iD',
    closing: ['If you do nothing, we keep what we have but can no longer update your record.'],
  });
}

/**
 * After the person removed the organisation's access at ORCID: what that means, and how to
 * connect again if they want to (nothing more is sent for 90 days).
 */
export function reconsentMail(c: Recipient): MailMessage {
  return organisationMail(c, {
    subject: `${c.organisation}: your ORCID connection was removed`,
    lead: [
      `You removed ${c.organisation}'s access to your ORCID record, so we can no longer keep your affiliation and other items on it up to date.`,
    ],
    linkIntro: 'If that was not what you meant, or you change your mind, you can connect again here:',
    button: 'Connect your ORCID iD again',
    closing: ['If you meant it, there is nothing to do: we will not ask again for some months.'],
  });
}

/**
 * The organisation's own invitation (its template, filled in): the text as written, and the same
 * paragraphs in the organisation's branded HTML, the portal address made a link.
 */
export function templateMail(
  c: { to: string; organisation: string; portalUrl: string; lang: string },
  filled: { subject: string; body: string },
): MailMessage {
  const paragraphs = filled.body
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean);
  const withLink = (p: string) =>
    p.split(c.portalUrl).flatMap((part, i) => (i ? [<a href={c.portalUrl}>{c.portalUrl}</a>, part] : [part]));
  const html = (
    <html lang={c.lang}>
      <body style="font-family:system-ui,sans-serif;line-height:1.5;color:#1f1f1f">
        <p style="font-weight:700;font-size:1.1rem;border-bottom:3px solid #a6ce39;padding-bottom:.5rem">
          {c.organisation}
        </p>
        {paragraphs.map((p) => (
          <p style="white-space:pre-line">{withLink(p)}</p>
        ))}
      </body>
    </html>
  );
  return { to: c.to, subject: filled.subject, text: filled.body, html: `<!doctype html>${html.toString()}` };
}

/** The operator invites the organisation's first administrator to set up its ORCID integration. */
export function adminInvitationMail(
  c: Omit<Recipient, 'portalUrl' | 'givenNames'> & { acceptUrl: string; expiresAt: Date },
): MailMessage {
  return organisationMail(
    { ...c, givenNames: null, portalUrl: c.acceptUrl },
    {
      subject: `${c.organisation}: you are invited to administer its ORCID integration`,
      lead: [
        `You are invited to administer ${c.organisation}'s ORCID integration on Lanyard: its ORCID credentials, how its people sign in, and its console.`,
      ],
      linkIntro: `Accept the invitation here (the link works once, until ${c.expiresAt.toISOString().slice(0, 16).replace('T', ' ')} UTC):`,
      button: 'Accept the invitation',
      closing: ['If you did not expect this invitation, ignore it: nothing happens unless the link is used.'],
    },
  );
}
