// Checks an item's JSON the way ORCID will before anything is queued: it must map onto the v3.0
// model (no unknown fields) and the XML form must be valid against ORCID's XSDs.

import type { JsonObject } from '../../lib/orcid-model/codec.js';
import { CodecError } from '../../lib/orcid-model/codec.js';
import { loadXsdValidation, type OrcidModel, sharedModel } from '../../lib/orcid-model/orcid-model.js';
import { AFFILIATION_SECTIONS, SECTION_BY_NAME } from '../../lib/orcid-model/sections.js';
import { itemRuleProblems } from '../domain/item-rules.js';

export type PayloadProblem = { field: string; message: string };

/** The checks below need ORCID's XSDs in memory: await this once before calling them. */
export const loadPayloadChecks = loadXsdValidation;

export function checkItemPayload(
  section: string,
  payload: Record<string, unknown>,
  model: OrcidModel = sharedModel(),
): PayloadProblem[] {
  const def = SECTION_BY_NAME.get(section);
  if (!def) return [{ field: '', message: `unknown section ${section}` }];
  let xml: string;
  try {
    xml = model.codec.toXml(def.ns, def.element, payload as JsonObject);
  } catch (e) {
    if (!(e instanceof CodecError)) throw e;
    const [path, ...rest] = e.message.split(': ');
    return [{ field: path!.split('.').slice(1).join('.'), message: rest.join(': ') }];
  }
  // libxml2 names the element at fault; the line numbers refer to XML the uploader never saw.
  return model.validators.validate(xml).map((m) => ({ field: '', message: m.replace(/^line \d+: /, '') }));
}

/** An affiliation without an organisation is written with the organisation's own (checked with a stand-in). */
const STAND_IN_ORGANISATION = {
  name: 'The organisation',
  address: { city: 'City', country: 'NZ' },
  'disambiguated-organization': {
    'disambiguated-organization-identifier': 'https://ror.org/00000000',
    'disambiguation-source': 'ROR',
  },
};

/**
 * Everything an item must pass before it is stated, whichever way it came: ORCID's model and
 * XSDs, and the rules of item-rules.ts. Fields are dotted paths in the payload.
 */
export function checkItem(
  section: string,
  payload: Record<string, unknown>,
  groupId?: string | null,
  model: OrcidModel = sharedModel(),
): PayloadProblem[] {
  const rules = itemRuleProblems(section, payload, groupId);
  const asWritten: Record<string, unknown> = { ...payload };
  if ((AFFILIATION_SECTIONS as readonly string[]).includes(section) && !asWritten.organization)
    asWritten.organization = STAND_IN_ORGANISATION;
  if (section === 'peer-review' && groupId) asWritten['review-group-id'] = groupId;
  return [...rules, ...checkItemPayload(section, asWritten, model)];
}
