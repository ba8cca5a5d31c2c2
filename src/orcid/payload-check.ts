// Checks an item's JSON the way ORCID will before anything is queued: it must map onto the v3.0
// model (no unknown fields) and the XML form must be valid against ORCID's XSDs.

import type { JsonObject } from '../../lib/orcid-model/codec.js';
import { CodecError } from '../../lib/orcid-model/codec.js';
import { type OrcidModel, sharedModel } from '../../lib/orcid-model/orcid-model.js';
import { SECTION_BY_NAME } from '../../lib/orcid-model/sections.js';

export type PayloadProblem = { field: string; message: string };

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
