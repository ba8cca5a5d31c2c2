// ORCID's two wire formats from one content model. JSON follows ORCID's Jackson/JAXB
// conventions: hyphenated local names, simple content as {"value": …} (plus its attributes),
// dateTimes as epoch milliseconds, repeated elements as arrays, absent single elements as
// null and absent lists as []. XML uses the namespaces and prefixes of the XSDs.
import { XMLParser } from 'fast-xml-parser';
import type { ElementField, Field, ValueKind, XsdSchemaSet } from './xsd-schema.js';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export class CodecError extends Error {}

// Person items carry a numeric display-index in ORCID's JSON, although the XSD says string.
const NUMERIC_DISPLAY_INDEX_NS = new Set(
  ['other-name', 'keyword', 'researcher-url', 'external-identifier', 'address', 'email'].map(
    (n) => `http://www.orcid.org/ns/${n}`,
  ),
);

// Enumerations whose JSON form is the Java enum name while XML uses the XSD value.
const JSON_ENUMS: Record<string, Record<string, string>> = {
  'http://www.orcid.org/ns/history creation-method': {
    API: 'API',
    DIRECT: 'Direct',
    MEMBER_REFERRED: 'Member-referred',
    WEBSITE: 'website',
  },
};
const XML_ENUMS: Record<string, Record<string, string>> = Object.fromEntries(
  Object.entries(JSON_ENUMS).map(([k, m]) => [
    k,
    Object.fromEntries(Object.entries(m).map(([a, b]) => [b, a])),
  ]),
);

export class OrcidCodec {
  private readonly parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    removeNSPrefix: true,
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: false,
    processEntities: true,
  });
  private readonly rootNamespaces: string;

  constructor(private readonly schema: XsdSchemaSet) {
    this.rootNamespaces = [...schema.prefixOf]
      .filter(([ns]) => ns.startsWith('http://www.orcid.org/ns/'))
      .map(([ns, prefix]) => ` xmlns:${prefix}="${ns}"`)
      .join('');
  }

  // ---------------------------------------------------------------- JSON → XML

  /** Serialises a JSON document as the XML element `{ns}name`. Unknown JSON keys are errors. */
  toXml(ns: string, name: string, json: JsonObject): string {
    const el = this.schema.element(ns, name);
    const parts: string[] = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'];
    this.writeElement(parts, el, json, this.rootNamespaces, name);
    return parts.join('');
  }

  private writeElement(out: string[], el: ElementField, value: Json, extraAttrs: string, path: string): void {
    const tag = `${this.schema.prefixOf.get(el.ns) ?? ''}:${el.name}`;
    const type = el.type;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      if (Array.isArray(value)) throw new CodecError(`${path}: expected an object or value, got an array`);
      // A bare scalar where ORCID defines {"value": …} is accepted, as Jackson does.
      if (type.simple === undefined && type.fields.length > 0)
        throw new CodecError(`${path}: expected an object, got ${JSON.stringify(value)}`);
      const text = scalarToXml(value, type.simple ?? 'string', path);
      const mapped = JSON_ENUMS[`${el.ns} ${el.name}`]?.[text] ?? text;
      out.push(`<${tag}${extraAttrs}>${escapeXml(mapped)}</${tag}>`);
      return;
    }
    const known = new Set<string>();
    let attrs = extraAttrs;
    const body: string[] = [];
    if (type.simple !== undefined) {
      known.add('value');
      const v = value.value;
      if (v !== undefined && v !== null) body.push(escapeXml(scalarToXml(v, type.simple, `${path}.value`)));
    }
    for (const field of type.fields) {
      if (field.kind === 'attribute') {
        known.add(field.name);
        const v = value[field.name];
        if (v === undefined || v === null) continue;
        attrs += ` ${field.name}="${escapeXml(scalarToXml(v, field.value, `${path}.${field.name}`))}"`;
      } else if (field.kind === 'element') {
        const key = field.unwrap?.name ?? field.name;
        known.add(key);
        const v = value[key];
        if (v === undefined || v === null) continue;
        const childPath = `${path}.${key}`;
        if (field.unwrap) {
          const inner = field.unwrap;
          const tagName = `${this.schema.prefixOf.get(field.ns) ?? ''}:${field.name}`;
          body.push(`<${tagName}>`);
          (Array.isArray(v) ? v : [v]).forEach((item, i) => {
            if (item !== null) this.writeElement(body, inner, item, '', `${childPath}[${i}]`);
          });
          body.push(`</${tagName}>`);
        } else if (field.repeated) {
          const list = Array.isArray(v) ? v : [v];
          list.forEach((item, i) => {
            if (item !== null) this.writeElement(body, field, item, '', `${childPath}[${i}]`);
          });
        } else {
          this.writeElement(body, field, v, '', childPath);
        }
      } else {
        known.add(field.jsonName);
        const v = value[field.jsonName];
        if (v === undefined || v === null) continue;
        if (!Array.isArray(v)) throw new CodecError(`${path}.${field.jsonName}: expected an array`);
        v.forEach((wrapper, i) => {
          if (wrapper === null || typeof wrapper !== 'object' || Array.isArray(wrapper))
            throw new CodecError(`${path}.${field.jsonName}[${i}]: expected an object`);
          for (const [k, inner] of Object.entries(wrapper)) {
            const alt = field.alternatives.find((a) => a.name === k);
            if (!alt) throw new CodecError(`${path}.${field.jsonName}[${i}]: unknown element "${k}"`);
            if (inner !== null)
              this.writeElement(body, alt, inner, '', `${path}.${field.jsonName}[${i}].${k}`);
          }
        });
      }
    }
    for (const [k, v] of Object.entries(value)) {
      // Jackson writes null for Java properties the XSD lacks (e.g. name.source); only values count.
      if (!known.has(k) && v !== null) throw new CodecError(`${path}: unknown property "${k}"`);
    }
    out.push(`<${tag}${attrs}>`, ...body, `</${tag}>`);
  }

  // ---------------------------------------------------------------- XML → JSON

  /** Parses an XML document into ORCID JSON, returning the root element's name and namespace local part. */
  fromXml(xml: string, expectedNs: string, expectedName: string): JsonObject {
    let parsed: Record<string, unknown>;
    try {
      parsed = this.parser.parse(xml) as Record<string, unknown>;
    } catch (e) {
      throw new CodecError(`not well-formed XML: ${(e as Error).message}`);
    }
    const raw = parsed[expectedName];
    if (raw === undefined) throw new CodecError(`expected a root element ${expectedName}`);
    const json = this.readElement(this.schema.element(expectedNs, expectedName), raw);
    if (json === null || typeof json !== 'object' || Array.isArray(json))
      throw new CodecError(`${expectedName}: expected an element with content`);
    return json;
  }

  private readElement(field: ElementField, raw: unknown): Json {
    const type = field.type;
    const node: Record<string, unknown> =
      raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>) : { '#text': raw ?? '' };
    const text = typeof node['#text'] === 'string' ? (node['#text'] as string) : '';
    if (type.simple !== undefined && !isWrapped(field) && type.fields.length === 0) {
      const value = scalarFromXml(text, type.simple);
      return XML_ENUMS[`${field.ns} ${field.name}`]?.[String(value)] ?? value;
    }
    const out: JsonObject = {};
    if (type.simple !== undefined) out.value = scalarFromXml(text, type.simple);
    for (const child of type.fields) this.readField(out, child, node);
    return out;
  }

  private readField(out: JsonObject, field: Field, node: Record<string, unknown>): void {
    if (field.kind === 'attribute') {
      const v = node[`@_${field.name}`];
      if (typeof v === 'string') out[field.name] = scalarFromXml(v, field.value);
      return;
    }
    if (field.kind === 'element') {
      const v = node[field.name];
      if (v === undefined) return;
      if (field.unwrap) {
        const inner =
          (v !== null && typeof v === 'object'
            ? (v as Record<string, unknown>)[field.unwrap.name]
            : undefined) ?? [];
        const innerField = field.unwrap;
        out[innerField.name] = (Array.isArray(inner) ? inner : [inner]).map((i) =>
          this.readElement(innerField, i),
        );
        return;
      }
      const list = Array.isArray(v) ? v : [v];
      const values = list.map((item) => this.readElement(field, item));
      out[field.name] = field.repeated ? values : (values[0] ?? null);
      return;
    }
    const items: Json[] = [];
    for (const alt of field.alternatives) {
      const v = node[alt.name];
      if (v === undefined) continue;
      for (const item of Array.isArray(v) ? v : [v]) items.push({ [alt.name]: this.readElement(alt, item) });
    }
    out[field.jsonName] = items;
  }

  // ---------------------------------------------------------------- JSON normalisation

  /**
   * Rewrites JSON into the shape ORCID writes: every field of the element's type in XSD order,
   * absent single elements as null, absent lists as [], bare scalars wrapped as {"value": …}.
   */
  normalize(ns: string, name: string, json: JsonObject): JsonObject {
    return this.normalizeValue(this.schema.element(ns, name), json) as JsonObject;
  }

  /** Objects this codec produced by normalising: normalising is idempotent, so they are kept as they are. */
  private readonly normalized = new WeakSet<object>();

  private normalizeValue(el: ElementField, value: Json): Json {
    const type = el.type;
    if (value === null || value === undefined) return null;
    if (typeof value === 'object' && this.normalized.has(value)) return value;
    if (type.fields.length === 0 && !isWrapped(el)) {
      if (type.simple === undefined) return value;
      const raw = typeof value === 'object' && !Array.isArray(value) ? (value.value ?? null) : value;
      return raw === null ? null : normalizeScalar(raw, type.simple);
    }
    const src: JsonObject =
      typeof value === 'object' && !Array.isArray(value) ? value : type.simple !== undefined ? { value } : {};
    const out: JsonObject = {};
    if (type.simple !== undefined) {
      const v = src.value;
      out.value = v === undefined || v === null ? null : normalizeScalar(v, type.simple);
    }
    for (const field of type.fields) {
      if (field.kind === 'attribute') {
        const v = src[field.name];
        if (v === undefined || v === null) continue;
        out[field.name] =
          field.name === 'display-index' && NUMERIC_DISPLAY_INDEX_NS.has(el.ns)
            ? Number(v)
            : normalizeScalar(v, field.value);
      } else if (field.kind === 'element' && field.unwrap) {
        const inner = field.unwrap;
        const v = src[inner.name];
        const list = v === undefined || v === null ? [] : Array.isArray(v) ? v : [v];
        out[inner.name] = list.map((item) => this.normalizeValue(inner, item));
      } else if (field.kind === 'element') {
        const v = src[field.name];
        if (field.repeated) {
          const list = v === undefined || v === null ? [] : Array.isArray(v) ? v : [v];
          out[field.name] = list.map((item) => this.normalizeValue(field, item));
        } else {
          out[field.name] = v === undefined ? null : this.normalizeValue(field, v);
        }
      } else {
        const v = src[field.jsonName];
        const list = Array.isArray(v) ? v : [];
        out[field.jsonName] = list.map((wrapper) => {
          const w = (wrapper ?? {}) as JsonObject;
          const res: JsonObject = {};
          for (const alt of field.alternatives) {
            if (w[alt.name] !== undefined) res[alt.name] = this.normalizeValue(alt, w[alt.name] ?? null);
          }
          return res;
        });
      }
    }
    this.normalized.add(out);
    return out;
  }
}

const isWrapped = (f: ElementField): boolean => Boolean(f.type.wrapped || f.jsonWrapped);

function scalarToXml(v: Json, kind: ValueKind, path: string): string {
  if (typeof v === 'object' && v !== null) throw new CodecError(`${path}: expected a value, got an object`);
  if (kind === 'dateTime' && typeof v === 'number') return new Date(v).toISOString();
  return String(v);
}

function scalarFromXml(raw: string, kind: ValueKind): Json {
  if (kind === 'string') return raw;
  const text = raw.trim(); // non-string XSD types collapse white space
  switch (kind) {
    case 'integer':
    case 'decimal': {
      const n = Number(text);
      return text.trim() !== '' && Number.isFinite(n) && kind === 'integer' ? n : text;
    }
    case 'boolean':
      return text === 'true' || text === '1';
    case 'dateTime': {
      const t = Date.parse(text);
      return Number.isNaN(t) ? text : t;
    }
    default:
      return text;
  }
}

function normalizeScalar(v: Json, kind: ValueKind): Json {
  if (kind === 'integer' && typeof v === 'string' && /^-?\d+$/.test(v)) return Number(v);
  if (kind === 'dateTime' && typeof v === 'string') {
    const t = Date.parse(v);
    return Number.isNaN(t) ? v : t;
  }
  if (kind === 'string' && (typeof v === 'number' || typeof v === 'boolean')) return String(v);
  return v;
}

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&apos;',
  );
}
