// Generates TypeScript types of ORCID's JSON from the XSD content model, so the typed model
// cannot drift from the schemas: `npm run gen:types` writes src/orcid/model.generated.ts, and a
// test fails when the committed file differs from what this produces.

import { NS, type OrcidModel } from './orcid-model.js';
import type { ElementField, Field, TypeDef, ValueKind } from './xsd-schema.js';

/** The documents the platform reads and writes, by JSON type name. */
export const GENERATED_ROOTS: Array<[string, string, string]> = [
  ['Work', 'work', 'work'],
  ['WorkSummary', 'work', 'work-summary'],
  ['Funding', 'funding', 'funding'],
  ['Employment', 'employment', 'employment'],
  ['Education', 'education', 'education'],
  ['Qualification', 'qualification', 'qualification'],
  ['InvitedPosition', 'invited-position', 'invited-position'],
  ['Distinction', 'distinction', 'distinction'],
  ['Membership', 'membership', 'membership'],
  ['Service', 'service', 'service'],
  ['PeerReview', 'peer-review', 'peer-review'],
  ['ResearchResource', 'research-resource', 'research-resource'],
  ['ResearcherUrl', 'researcher-url', 'researcher-url'],
  ['Keyword', 'keyword', 'keyword'],
  ['OtherName', 'other-name', 'other-name'],
  ['PersonExternalIdentifier', 'external-identifier', 'external-identifier'],
  ['Address', 'address', 'address'],
  ['Works', 'activities', 'works'],
  ['ActivitiesSummary', 'activities', 'activities-summary'],
  ['Person', 'person', 'person'],
  ['OrcidRecord', 'record', 'record'],
  ['Bulk', 'bulk', 'bulk'],
  ['OrcidErrorBody', 'error', 'error'],
];

const scalar = (k: ValueKind): string =>
  k === 'integer' || k === 'dateTime' ? 'number' : k === 'boolean' ? 'boolean' : 'string';
const pascal = (s: string) => s.replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase());

export function generateTypes(model: OrcidModel): string {
  const names = new Map<TypeDef, string>();
  const used = new Set<string>();
  const out: string[] = [];
  const queue: Array<[string, TypeDef, string]> = [];

  const nameFor = (type: TypeDef, suggestion: string, ns: string): string => {
    const existing = names.get(type);
    if (existing) return existing;
    let name = pascal(suggestion);
    if (used.has(name)) name = `${pascal(ns.split('/').pop()!)}${name}`;
    while (used.has(name)) name += '_';
    used.add(name);
    names.set(type, name);
    queue.push([name, type, ns]);
    return name;
  };

  const valueType = (f: ElementField): string => {
    const t = f.type;
    const wrapped = t.wrapped || f.jsonWrapped;
    if (t.fields.length === 0 && !wrapped) return t.simple ? scalar(t.simple) : 'unknown';
    if (t.fields.length === 0 && wrapped) return `{ value: ${scalar(t.simple ?? 'string')} | null }`;
    return nameFor(t, f.name, f.ns);
  };

  const member = (f: Field): string => {
    // Person items carry a numeric display-index in ORCID's JSON (see the codec).
    if (f.kind === 'attribute')
      return `  '${f.name}'?: ${f.name === 'display-index' ? 'string | number' : scalar(f.value)} | null;`;
    if (f.kind === 'choice-list') {
      const alts = f.alternatives.map((a) => `{ '${a.name}': ${valueType(a)} }`).join(' | ');
      return `  '${f.jsonName}'?: Array<${alts}>;`;
    }
    if (f.unwrap) return `  '${f.unwrap.name}'?: Array<${valueType(f.unwrap)}>;`;
    const v = valueType(f);
    return f.repeated
      ? `  '${f.name}'?: Array<${v}>;`
      : `  '${f.name}'${f.optional ? '?' : ''}: ${v}${f.optional ? ' | null' : ''};`;
  };

  for (const [name, nsName, element] of GENERATED_ROOTS) {
    const el = model.schema.element(NS(nsName), element);
    used.add(name);
    names.set(el.type, name);
    queue.push([name, el.type, el.ns]);
  }
  // The XSDs repeat identical shapes (the seven affiliation types): the first is declared, the
  // others are aliases of it.
  const byBody = new Map<string, string>();
  while (queue.length) {
    const [name, type] = queue.shift()!;
    const lines = type.fields.map(member);
    if (type.simple) lines.unshift(`  value?: ${scalar(type.simple)} | null;`);
    const body = lines.join('\n');
    const same = byBody.get(body);
    if (same) out.push(`export type ${name} = ${same};\n`);
    else {
      byBody.set(body, name);
      out.push(`export interface ${name} {\n${body}\n}\n`);
    }
  }
  return [
    "// Generated from ORCID's XSDs by lib/orcid-model/generate-types.ts (npm run gen:types). Do not edit.",
    "// ORCID's JSON: optional elements may be absent or null; lists may be absent or [].",
    '',
    ...out,
  ].join('\n');
}
