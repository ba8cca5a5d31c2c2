import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { identityProviderFromMetadata, serviceProviderMetadata } from './saml-metadata.js';

const IDP = `<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="https://idp.example.edu/idp">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="encryption"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>ENCRYPTIONCERT</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>
      MIIC SIGNING
      CERT==
    </ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp.example.edu/sso/post"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.edu/sso/redirect"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`;

describe('SAML metadata', () => {
  it("reads the IdP's redirect single sign-on URL and signing certificate", () => {
    expect(identityProviderFromMetadata(IDP)).toEqual({
      ok: true,
      entityId: 'https://idp.example.edu/idp',
      entryPoint: 'https://idp.example.edu/sso/redirect',
      idpCert: 'MIICSIGNINGCERT==',
    });
  });

  it('says what is missing from metadata it cannot use', () => {
    expect(identityProviderFromMetadata('<html>no</html>')).toMatchObject({
      ok: false,
      problem: expect.stringContaining('no identity provider'),
    });
    expect(identityProviderFromMetadata(IDP.replace(/HTTP-Redirect/, 'SOAP'))).toMatchObject({
      ok: false,
      problem: expect.stringContaining('HTTP-Redirect'),
    });
    expect(
      identityProviderFromMetadata(
        IDP.replace(/use="signing"[\s\S]*?<\/md:KeyDescriptor>/, 'use="signing"></md:KeyDescriptor>'),
      ),
    ).toMatchObject({
      ok: false,
      problem: expect.stringContaining('signing certificate'),
    });
  });

  it('publishes our entity id and assertion consumer service, escaped', () => {
    const xml = serviceProviderMetadata({
      entityId: 'https://lanyard.example/o/uni?a=1&b=2',
      acsUrl: 'https://lanyard.example/o/uni/signin/saml/acs',
    });
    expect(xml).toContain('entityID="https://lanyard.example/o/uni?a=1&amp;b=2"');
    const doc = new XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: '@_',
      removeNSPrefix: true,
    }).parse(xml);
    expect(doc.EntityDescriptor.SPSSODescriptor.AssertionConsumerService).toMatchObject({
      '@_Binding': 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST',
      '@_Location': 'https://lanyard.example/o/uni/signin/saml/acs',
    });
    expect(doc.EntityDescriptor.SPSSODescriptor['@_WantAssertionsSigned']).toBe('true');
  });
});
