// A SAML 2.0 identity provider for tests: it reads our AuthnRequest (HTTP-Redirect binding) and
// answers with a Response whose assertion is signed (xml-crypto, RSA-SHA256) by the test IdP's
// key, or, for the error paths, unsigned, signed by a stranger, tampered or mis-addressed.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inflateRawSync } from 'node:zlib';
import { SignedXml } from 'xml-crypto';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/saml/${name}`, import.meta.url), 'utf8');
export const IDP_CERT = fixture('idp.crt');
const KEYS = {
  idp: { key: fixture('idp.key'), cert: IDP_CERT },
  other: { key: fixture('other.key'), cert: fixture('other.crt') },
};

export interface AuthnRequest {
  id: string;
  acs: string;
  issuer: string;
}

export interface ResponseOptions {
  signer?: 'idp' | 'other' | 'none';
  audience?: string;
  /** Changes an attribute value after signing. */
  tamper?: boolean;
  notOnOrAfter?: Date;
}

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

export function parseAuthnRequest(url: string): AuthnRequest {
  const xml = inflateRawSync(Buffer.from(new URL(url).searchParams.get('SAMLRequest')!, 'base64')).toString(
    'utf8',
  );
  const attr = (name: string) => new RegExp(`${name}="([^"]+)"`).exec(xml)?.[1] ?? '';
  return {
    id: attr('ID'),
    acs: attr('AssertionConsumerServiceURL'),
    issuer: /<saml:Issuer[^>]*>([^<]+)</.exec(xml)?.[1] ?? '',
  };
}

export function samlResponse(
  idpEntityId: string,
  request: AuthnRequest,
  nameId: string,
  attributes: Record<string, string>,
  o: ResponseOptions = {},
): string {
  const now = new Date();
  const later = o.notOnOrAfter ?? new Date(now.getTime() + 5 * 60_000);
  const iso = (d: Date) => d.toISOString();
  const attrs = Object.entries(attributes)
    .map(
      ([k, v]) =>
        `<saml:Attribute Name="${esc(k)}"><saml:AttributeValue xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="xs:string">${esc(v)}</saml:AttributeValue></saml:Attribute>`,
    )
    .join('');
  const assertion = `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_${randomUUID()}" Version="2.0" IssueInstant="${iso(now)}"><saml:Issuer>${esc(idpEntityId)}</saml:Issuer><saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent">${esc(nameId)}</saml:NameID><saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData InResponseTo="${request.id}" NotOnOrAfter="${iso(later)}" Recipient="${esc(request.acs)}"/></saml:SubjectConfirmation></saml:Subject><saml:Conditions NotBefore="${iso(new Date(now.getTime() - 60_000))}" NotOnOrAfter="${iso(later)}"><saml:AudienceRestriction><saml:Audience>${esc(o.audience ?? request.issuer)}</saml:Audience></saml:AudienceRestriction></saml:Conditions><saml:AuthnStatement AuthnInstant="${iso(now)}" SessionIndex="_${randomUUID()}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement><saml:AttributeStatement>${attrs}</saml:AttributeStatement></saml:Assertion>`;
  let signed = assertion;
  const signer = o.signer ?? 'idp';
  if (signer !== 'none') {
    const sig = new SignedXml({
      privateKey: KEYS[signer].key,
      publicCert: KEYS[signer].cert,
      signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
      canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
    });
    sig.addReference({
      xpath: "//*[local-name(.)='Assertion']",
      transforms: [
        'http://www.w3.org/2000/09/xmldsig#enveloped-signature',
        'http://www.w3.org/2001/10/xml-exc-c14n#',
      ],
      digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
    });
    sig.computeSignature(assertion, {
      location: { reference: "//*[local-name(.)='Assertion']/*[local-name(.)='Issuer']", action: 'after' },
    });
    signed = sig.getSignedXml();
  }
  if (o.tamper) signed = signed.replace(/(<saml:AttributeValue[^>]*>)[^<]*/, '$1E-EVIL');
  const response = `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_${randomUUID()}" Version="2.0" IssueInstant="${iso(now)}" Destination="${esc(request.acs)}" InResponseTo="${request.id}"><saml:Issuer>${esc(idpEntityId)}</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>${signed}</samlp:Response>`;
  return Buffer.from(response).toString('base64');
}

export interface TestSamlIdp {
  entityId: string;
  ssoUrl: string;
  close(): Promise<void>;
}

/** An IdP with a sign-in page: GET /sso shows who signs in and a button posting to our ACS. */
export async function startSamlIdp(account: {
  nameId: string;
  attributes: Record<string, string>;
}): Promise<TestSamlIdp> {
  let base = '';
  const server: Server = createServer((req, res) => {
    if (!req.url?.startsWith('/sso?')) {
      res.statusCode = 404;
      res.end();
      return;
    }
    const request = parseAuthnRequest(`${base}${req.url}`);
    const response = samlResponse(`${base}/metadata`, request, account.nameId, account.attributes);
    // As the HTTP-POST binding requires, the RelayState of the request comes back unchanged.
    const relayState = new URL(`${base}${req.url}`).searchParams.get('RelayState') ?? '';
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end(
      `<!doctype html><html lang="en"><title>Test IdP</title><h1>Test IdP</h1><p>Signing in as ${esc(account.nameId)}</p><form method="post" action="${esc(request.acs)}"><input type="hidden" name="SAMLResponse" value="${response}"><input type="hidden" name="RelayState" value="${esc(relayState)}"><button id="idp-continue" type="submit">Continue</button></form></html>`,
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    entityId: `${base}/metadata`,
    ssoUrl: `${base}/sso`,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
