// SAML metadata both ways: ours (the service provider's: entity id and assertion consumer
// service, for the organisation's IdP to register) and the IdP's (read for its single sign-on
// URL and signing certificate, so an administrator can paste the file instead of copying both).
import { XMLBuilder, XMLParser } from 'fast-xml-parser';

const REDIRECT_BINDING = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
const POST_BINDING = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';
const PROTOCOL = 'urn:oasis:names:tc:SAML:2.0:protocol';

/**
 * Our metadata. Lanyard does not sign its requests (assertions must be signed by the IdP), so
 * there is no signing certificate to publish.
 */
export function serviceProviderMetadata(o: { entityId: string; acsUrl: string }): string {
  const builder = new XMLBuilder({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    format: true,
    suppressBooleanAttributes: false,
    suppressEmptyNode: true,
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n${builder.build({
    'md:EntityDescriptor': {
      '@_xmlns:md': 'urn:oasis:names:tc:SAML:2.0:metadata',
      '@_entityID': o.entityId,
      'md:SPSSODescriptor': {
        '@_protocolSupportEnumeration': PROTOCOL,
        '@_AuthnRequestsSigned': 'false',
        '@_WantAssertionsSigned': 'true',
        'md:AssertionConsumerService': { '@_Binding': POST_BINDING, '@_Location': o.acsUrl, '@_index': '0' },
      },
    },
  })}`;
}

export type IdpFromMetadata =
  | { ok: true; entityId: string; entryPoint: string; idpCert: string }
  | { ok: false; problem: string };

const asList = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** The IdP's single sign-on URL (HTTP-Redirect) and signing certificate from its metadata. */
export function identityProviderFromMetadata(xml: string): IdpFromMetadata {
  let doc: Record<string, unknown>;
  try {
    doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', removeNSPrefix: true }).parse(
      xml,
    );
  } catch (e) {
    return { ok: false, problem: `the metadata is not XML: ${(e as Error).message}` };
  }
  type Node = Record<string, unknown>;
  const entity = (doc.EntityDescriptor ??
    asList((doc.EntitiesDescriptor as Node | undefined)?.EntityDescriptor as Node[])[0]) as Node | undefined;
  const idp = entity?.IDPSSODescriptor as Node | undefined;
  if (!entity || !idp)
    return { ok: false, problem: 'the metadata describes no identity provider (IDPSSODescriptor)' };
  const sso = asList(idp.SingleSignOnService as Node[]).find((s) => s['@_Binding'] === REDIRECT_BINDING);
  if (!sso)
    return { ok: false, problem: 'the identity provider offers no HTTP-Redirect single sign-on service' };
  const keys = asList(idp.KeyDescriptor as Node[]).filter((k) => !k['@_use'] || k['@_use'] === 'signing');
  const cert = keys
    .map((k) => ((k.KeyInfo as Node | undefined)?.X509Data as Node | undefined)?.X509Certificate)
    .find((c) => typeof c === 'string' || typeof (c as Node | undefined)?.['#text'] === 'string');
  const certText =
    typeof cert === 'string' ? cert : ((cert as Node | undefined)?.['#text'] as string | undefined);
  if (!certText)
    return { ok: false, problem: 'the metadata holds no signing certificate for the identity provider' };
  return {
    ok: true,
    entityId: String(entity['@_entityID'] ?? ''),
    entryPoint: String(sso['@_Location']),
    idpCert: certText.replace(/\s+/g, ''),
  };
}
