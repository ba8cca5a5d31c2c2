// Reads ORCID's official XSDs into a small content model: for every element, the ordered
// fields (child elements and attributes) and the value kind of simple content. The JSON⇄XML
// codec walks this model, so the simulator speaks exactly the documents the XSDs describe
// instead of a hand-written copy of them.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { XMLParser } from 'fast-xml-parser';

export type ValueKind = 'string' | 'integer' | 'boolean' | 'dateTime' | 'decimal';

export interface ElementField {
  kind: 'element';
  name: string;
  ns: string;
  type: TypeDef;
  repeated: boolean;
  optional: boolean;
  /** JAXB wrapper (@XmlElementWrapper): JSON names the list by this inner element and drops the wrapper. */
  unwrap?: ElementField;
  /** JSON writes {"value": …} although the XSD type is simple (a JAXB value class). */
  jsonWrapped?: boolean;
}

export interface AttributeField {
  kind: 'attribute';
  name: string;
  value: ValueKind;
  required: boolean;
}

/** A repeated choice, e.g. `bulk:bulk` (work | error)* or an affiliation group's summaries. */
export interface ChoiceListField {
  kind: 'choice-list';
  jsonName: string;
  alternatives: ElementField[];
}

export type Field = ElementField | AttributeField | ChoiceListField;

export interface TypeDef {
  /** Set for simple types and simple content: the element carries a text value. */
  simple?: ValueKind;
  /** A complex type with simple content: JSON wraps its value as {"value": …}. */
  wrapped?: boolean;
  fields: Field[];
}

interface RawNode {
  [key: string]: unknown;
}

const XS = 'http://www.w3.org/2001/XMLSchema';

// JAXB names the list property of these repeated choices; JSON uses that name.
const CHOICE_LIST_NAMES: Record<string, string> = {
  'http://www.orcid.org/ns/bulk bulk': 'bulk',
  'http://www.orcid.org/ns/activities affiliation-group': 'summaries',
};

// Wrapper elements that ORCID's JSON omits, keeping only the inner list.
const JSON_UNWRAPPED = new Set(['http://www.orcid.org/ns/research-resource resource-items']);

// Elements of simple XSD type that ORCID's JSON still writes as {"value": …} (JAXB value classes),
// found by walking ORCID's JSON samples against the XSDs.
const JSON_WRAPPED = new Set(
  [
    'address country',
    'common external-id-url',
    'common title',
    'common subtitle',
    'work journal-title',
    'funding organization-defined-type',
  ].map((k) => `http://www.orcid.org/ns/${k}`),
);

const BUILTIN: Record<string, ValueKind> = {
  integer: 'integer',
  int: 'integer',
  long: 'integer',
  nonNegativeInteger: 'integer',
  positiveInteger: 'integer',
  boolean: 'boolean',
  dateTime: 'dateTime',
  decimal: 'decimal',
};

interface SchemaDoc {
  targetNs: string;
  prefixes: Map<string, string>;
  root: RawNode;
}

export class XsdSchemaSet {
  private readonly docs = new Map<string, SchemaDoc>();
  private readonly globalElements = new Map<string, { doc: SchemaDoc; node: RawNode }>();
  private readonly globalTypes = new Map<string, { doc: SchemaDoc; node: RawNode; simple: boolean }>();
  private readonly typeCache = new Map<string, TypeDef>();
  private readonly elementCache = new Map<string, ElementField>();
  /** Conventional prefix of each namespace (from the XSDs' own declarations). */
  readonly prefixOf = new Map<string, string>();

  /**
   * `absentImports`: schemaLocations an entry imports that are not vendored because nothing the
   * entry uses comes from them (the notification schema imports the v2.1 activities schema).
   */
  constructor(
    entryFiles: string[],
    private readonly absentImports: ReadonlySet<string> = new Set(),
  ) {
    for (const file of entryFiles) this.load(resolve(file));
  }

  private load(file: string): void {
    if (this.docs.has(file)) return;
    const parser = new XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: '@',
      preserveOrder: true,
      parseAttributeValue: false,
      parseTagValue: false,
    });
    const parsed = parser.parse(readFileSync(file, 'utf8')) as RawNode[];
    const schemaNode = parsed.find((n) => 'xs:schema' in n);
    if (!schemaNode) throw new Error(`${file} is not an XML schema`);
    const attrs = (schemaNode[':@'] ?? {}) as Record<string, string>;
    const prefixes = new Map<string, string>();
    for (const [k, v] of Object.entries(attrs)) {
      if (k.startsWith('@xmlns:')) prefixes.set(k.slice(7), v);
    }
    const targetNs = attrs['@targetNamespace'] ?? '';
    const doc: SchemaDoc = { targetNs, prefixes, root: schemaNode };
    this.docs.set(file, doc);
    for (const [prefix, ns] of prefixes) {
      if (ns === targetNs && !this.prefixOf.has(ns)) this.prefixOf.set(ns, prefix);
    }
    for (const child of children(schemaNode, 'xs:schema')) {
      const tag = tagOf(child);
      const a = attrsOf(child);
      if (tag === 'xs:import' || tag === 'xs:include') {
        if (a.schemaLocation && !this.absentImports.has(a.schemaLocation))
          this.load(join(dirname(file), a.schemaLocation));
      } else if (tag === 'xs:element' && a.name) {
        const key = `${targetNs} ${a.name}`;
        if (!this.globalElements.has(key)) this.globalElements.set(key, { doc, node: child });
      } else if ((tag === 'xs:complexType' || tag === 'xs:simpleType') && a.name) {
        const key = `${targetNs} ${a.name}`;
        if (!this.globalTypes.has(key))
          this.globalTypes.set(key, { doc, node: child, simple: tag === 'xs:simpleType' });
      }
    }
  }

  /** The global element `{ns}name`, with its resolved type. */
  element(ns: string, name: string): ElementField {
    const key = `${ns} ${name}`;
    const cached = this.elementCache.get(key);
    if (cached) return cached;
    const found = this.globalElements.get(key);
    if (!found) throw new Error(`unknown element {${ns}}${name}`);
    const field: ElementField = {
      kind: 'element',
      name,
      ns,
      repeated: false,
      optional: false,
      type: { fields: [] },
      jsonWrapped: JSON_WRAPPED.has(key),
    };
    this.elementCache.set(key, field);
    field.type = this.elementType(found.doc, found.node, key);
    return field;
  }

  hasElement(ns: string, name: string): boolean {
    return this.globalElements.has(`${ns} ${name}`);
  }

  private resolveQName(doc: SchemaDoc, qname: string): [string, string] {
    const i = qname.indexOf(':');
    if (i < 0) return [doc.prefixes.get('') ?? doc.targetNs, qname];
    const prefix = qname.slice(0, i);
    const ns = doc.prefixes.get(prefix);
    if (ns === undefined) throw new Error(`unknown prefix ${prefix} in ${qname}`);
    return [ns, qname.slice(i + 1)];
  }

  private elementType(doc: SchemaDoc, node: RawNode, ownerKey: string): TypeDef {
    const a = attrsOf(node);
    if (a.type) return this.namedType(doc, a.type);
    for (const child of children(node, 'xs:element')) {
      const tag = tagOf(child);
      if (tag === 'xs:complexType') return this.complexType(doc, child, ownerKey);
      if (tag === 'xs:simpleType') return { simple: this.simpleKind(doc, child), fields: [] };
    }
    return { simple: 'string', fields: [] };
  }

  private namedType(doc: SchemaDoc, qname: string): TypeDef {
    const [ns, name] = this.resolveQName(doc, qname);
    if (ns === XS) return { simple: BUILTIN[name] ?? 'string', fields: [] };
    const key = `${ns} ${name}`;
    const cached = this.typeCache.get(key);
    if (cached) return cached;
    const found = this.globalTypes.get(key);
    if (!found) throw new Error(`unknown type {${ns}}${name}`);
    const def: TypeDef = { fields: [] };
    this.typeCache.set(key, def); // placeholder first: types are recursive in places
    const built = found.simple
      ? { simple: this.simpleKind(found.doc, found.node), fields: [] }
      : this.complexType(found.doc, found.node, key);
    Object.assign(def, built);
    return def;
  }

  private simpleKind(doc: SchemaDoc, node: RawNode): ValueKind {
    for (const child of children(node, 'xs:simpleType')) {
      const tag = tagOf(child);
      if (tag === 'xs:restriction') {
        const base = attrsOf(child).base;
        if (base) return this.namedType(doc, base).simple ?? 'string';
        const inner = children(child, 'xs:restriction').find((c) => tagOf(c) === 'xs:simpleType');
        if (inner) return this.simpleKind(doc, inner);
      }
    }
    return 'string';
  }

  private complexType(doc: SchemaDoc, node: RawNode, ownerKey: string): TypeDef {
    const def: TypeDef = { fields: [] };
    this.collectComplex(doc, node, 'xs:complexType', def, ownerKey);
    // Attributes follow elements, as Jackson writes JAXB properties.
    def.fields.sort((x, y) => Number(x.kind === 'attribute') - Number(y.kind === 'attribute'));
    return def;
  }

  private collectComplex(doc: SchemaDoc, node: RawNode, tag: string, def: TypeDef, ownerKey: string): void {
    for (const child of children(node, tag)) {
      const t = tagOf(child);
      if (t === 'xs:sequence' || t === 'xs:choice') {
        this.collectParticle(doc, child, t, def, false, false, ownerKey);
      } else if (t === 'xs:attribute') {
        def.fields.push(this.attribute(doc, child));
      } else if (t === 'xs:simpleContent' || t === 'xs:complexContent') {
        if (t === 'xs:simpleContent') def.wrapped = true;
        for (const ext of children(child, t)) {
          const et = tagOf(ext);
          if (et !== 'xs:extension' && et !== 'xs:restriction') continue;
          const base = attrsOf(ext).base;
          if (base) {
            const baseDef = this.namedType(doc, base);
            if (baseDef.simple) def.simple = baseDef.simple;
            if (et === 'xs:extension' || t === 'xs:simpleContent') def.fields.push(...baseDef.fields);
          }
          this.collectComplex(doc, ext, et, def, ownerKey);
        }
      }
    }
    // Mixed content is text: JAXB maps it to a String (fuzzy-date parts are {"value":"05"}, not 5).
    if (attrsOf(node).mixed === 'true' && def.fields.every((f) => f.kind !== 'element')) {
      def.simple = 'string';
      def.wrapped = true;
    }
  }

  private collectParticle(
    doc: SchemaDoc,
    node: RawNode,
    tag: string,
    def: TypeDef,
    repeated: boolean,
    optional: boolean,
    ownerKey: string,
  ): void {
    const a = attrsOf(node);
    const rep = repeated || (a.maxOccurs !== undefined && a.maxOccurs !== '1');
    const opt = optional || a.minOccurs === '0' || tag === 'xs:choice';
    const listName = CHOICE_LIST_NAMES[ownerKey];
    if (tag === 'xs:choice' && listName) {
      const holder: TypeDef = { fields: [] };
      for (const child of children(node, tag)) {
        const ct = tagOf(child);
        if (ct === 'xs:element') holder.fields.push(this.particleElement(doc, child, true, true));
        else if (ct === 'xs:sequence') this.collectParticle(doc, child, ct, holder, true, true, '');
      }
      def.fields.push({
        kind: 'choice-list',
        jsonName: listName,
        alternatives: holder.fields.filter((f): f is ElementField => f.kind === 'element'),
      });
      return;
    }
    for (const child of children(node, tag)) {
      const ct = tagOf(child);
      if (ct === 'xs:element') {
        const field = this.particleElement(doc, child, rep, opt);
        // The same element may appear in two branches of a choice (source-client-id, path).
        if (!def.fields.some((f) => f.kind === 'element' && f.name === field.name && f.ns === field.ns))
          def.fields.push(field);
      } else if (ct === 'xs:sequence' || ct === 'xs:choice') {
        this.collectParticle(doc, child, ct, def, rep, opt, ownerKey);
      }
    }
  }

  private particleElement(doc: SchemaDoc, node: RawNode, repeated: boolean, optional: boolean): ElementField {
    const a = attrsOf(node);
    const rep = repeated || (a.maxOccurs !== undefined && a.maxOccurs !== '1');
    const opt = optional || a.minOccurs === '0';
    if (a.ref) {
      const [ns, name] = this.resolveQName(doc, a.ref);
      const global = this.element(ns, name);
      return { ...global, repeated: rep, optional: opt, type: global.type };
    }
    const name = a.name ?? '';
    const field: ElementField = {
      kind: 'element',
      name,
      ns: doc.targetNs,
      repeated: rep,
      optional: opt,
      type: { fields: [] },
      jsonWrapped: JSON_WRAPPED.has(`${doc.targetNs} ${name}`),
    };
    field.type = this.elementType(doc, node, `${doc.targetNs} ${name}`);
    if (JSON_UNWRAPPED.has(`${doc.targetNs} ${name}`)) {
      const inner = field.type.fields.find((f): f is ElementField => f.kind === 'element' && f.repeated);
      if (inner) field.unwrap = inner;
    }
    return field;
  }

  private attribute(doc: SchemaDoc, node: RawNode): AttributeField {
    const a = attrsOf(node);
    let value: ValueKind = 'string';
    if (a.type) value = this.namedType(doc, a.type).simple ?? 'string';
    else {
      const inner = children(node, 'xs:attribute').find((c) => tagOf(c) === 'xs:simpleType');
      if (inner) value = this.simpleKind(doc, inner);
    }
    return { kind: 'attribute', name: a.name ?? '', value, required: a.use === 'required' };
  }
}

function tagOf(node: RawNode): string {
  for (const k of Object.keys(node)) if (k !== ':@') return k;
  return '';
}

function attrsOf(node: RawNode): Record<string, string> {
  const raw = (node[':@'] ?? {}) as Record<string, string>;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) out[k.slice(1)] = v;
  return out;
}

function children(node: RawNode, tag: string): RawNode[] {
  const list = node[tag];
  return Array.isArray(list) ? (list as RawNode[]).filter((c) => !('#text' in c) && !('#comment' in c)) : [];
}
