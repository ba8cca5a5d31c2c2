// Validates XML documents against ORCID's XSDs with libxml2 (compiled to WebAssembly).
// Two validators: group-id records import the v2.1 common schema, whose namespace clashes
// with v3.0's common schema, so they cannot share one compiled schema set.

import { join } from 'node:path';
import { XmlDocument, XmlParseError, XsdValidator } from 'libxml2-wasm';
import { xmlRegisterFsInputProviders } from 'libxml2-wasm/lib/nodejs.mjs';

const NS = 'http://www.orcid.org/ns/';
const V3_SCHEMAS: Array<[string, string]> = [
  ['record', 'record_3.0/record-3.0.xsd'],
  ['bulk', 'record_3.0/bulk-3.0.xsd'],
  ['error', 'record_3.0/error-3.0.xsd'],
  ['search', 'record_3.0/search-3.0.xsd'],
  ['expanded-search', 'record_3.0/expanded-search-3.0.xsd'],
  ['summary', 'summary_3.0/summary-3.0.xsd'],
];

let fsRegistered = false;

export class XsdValidators {
  private readonly v3: XsdValidator;
  private readonly groupId: XsdValidator;

  constructor(modelDir: string) {
    if (!fsRegistered) fsRegistered = xmlRegisterFsInputProviders() || true;
    const imports = V3_SCHEMAS.map(
      ([ns, loc]) => `<xs:import namespace="${NS}${ns}" schemaLocation="${join(modelDir, loc)}"/>`,
    ).join('');
    this.v3 = compile(
      `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">${imports}</xs:schema>`,
      join(modelDir, 'all-3.0.xsd'),
    );
    const groupIdPath = join(modelDir, 'group-id-3.0/group-id-3.0.xsd');
    this.groupId = compile(
      `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:import namespace="${NS}group-id" schemaLocation="${groupIdPath}"/></xs:schema>`,
      join(modelDir, 'group-id-3.0/all-group-id.xsd'),
    );
  }

  /** Returns the list of problems (empty when the document is valid). */
  validate(xml: string): string[] {
    let doc: XmlDocument;
    try {
      doc = XmlDocument.fromString(xml);
    } catch (e) {
      if (e instanceof XmlParseError) return e.details.map((d) => `line ${d.line}: ${d.message.trim()}`);
      return [(e as Error).message];
    }
    try {
      const root = doc.root;
      const validator = root.namespaceUri === `${NS}group-id` ? this.groupId : this.v3;
      validator.validate(doc);
      return [];
    } catch (e) {
      const details = (e as { details?: Array<{ message: string; line: number }> }).details;
      return details?.length
        ? details.map((d) => `line ${d.line}: ${d.message.trim()}`)
        : [(e as Error).message];
    } finally {
      doc.dispose();
    }
  }
}

function compile(source: string, url: string): XsdValidator {
  const doc = XmlDocument.fromString(source, { url });
  try {
    return XsdValidator.fromDoc(doc);
  } finally {
    doc.dispose();
  }
}
