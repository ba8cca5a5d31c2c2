// One loaded copy of ORCID's v3.0 model: schema set, codec and XSD validators.
//
// lib/orcid-model is shared by the simulator (src/sandbox) and the platform's ORCID client
// (src/orcid), which must not import each other: it depends on neither and only on the XSDs in
// vendor/orcid-model.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OrcidCodec } from './codec.js';
import { XsdSchemaSet } from './xsd-schema.js';
import type { XsdValidators } from './xsd-validator.js';

export const NS = (name: string): string => `http://www.orcid.org/ns/${name}`;

export function defaultModelDir(): string {
  // lib/orcid-model → repository root → vendor/orcid-model
  const dir = join(dirname(fileURLToPath(import.meta.url)), '../../vendor/orcid-model');
  if (!existsSync(join(dir, 'record_3.0/record-3.0.xsd'))) throw new Error(`ORCID model not found in ${dir}`);
  return dir;
}

let xsdValidation: typeof import('./xsd-validator.js') | undefined;

/**
 * Loads libxml2 (WebAssembly, about 130 MB resident) for XSD validation. Only the processes that
 * validate XML pay for it: the simulator, and the platform where it checks item payloads (the
 * REST API, JSON uploads). Call once before `validators` is used; later calls are free.
 */
export async function loadXsdValidation(): Promise<void> {
  xsdValidation ??= await import('./xsd-validator.js');
}

export class OrcidModel {
  readonly schema: XsdSchemaSet;
  readonly codec: OrcidCodec;
  #validators: XsdValidators | undefined;
  /** Group-id records build on the v2.1 common schema, whose namespace clashes with v3.0's. */
  readonly groupIdCodec: OrcidCodec;
  /** Permission notifications (the ORCID inbox) build on the v2.1 common schema too. */
  readonly notificationCodec: OrcidCodec;

  constructor(readonly dir = defaultModelDir()) {
    this.schema = new XsdSchemaSet(
      [
        'record_3.0/record-3.0.xsd',
        'record_3.0/bulk-3.0.xsd',
        'record_3.0/error-3.0.xsd',
        'record_3.0/search-3.0.xsd',
        'record_3.0/expanded-search-3.0.xsd',
        'summary_3.0/summary-3.0.xsd',
      ].map((f) => join(dir, f)),
    );
    this.codec = new OrcidCodec(this.schema);
    this.groupIdCodec = new OrcidCodec(new XsdSchemaSet([join(dir, 'group-id-3.0/group-id-3.0.xsd')]));
    this.notificationCodec = new OrcidCodec(
      new XsdSchemaSet(
        [join(dir, 'notification_3.0/notification-permission-3.0.xsd')],
        new Set(['../record_2.1/activities-2.1.xsd']),
      ),
    );
  }

  /** The codec of documents in the namespace `ns`. */
  codecFor(ns: string): OrcidCodec {
    if (ns === NS('group-id')) return this.groupIdCodec;
    if (ns === NS('notification')) return this.notificationCodec;
    return this.codec;
  }

  /** The XSD validators, compiled on first use (after loadXsdValidation). */
  get validators(): XsdValidators {
    if (!xsdValidation) throw new Error('XSD validation is not loaded: await loadXsdValidation() first');
    this.#validators ??= new xsdValidation.XsdValidators(this.dir);
    return this.#validators;
  }
}

let shared: OrcidModel | undefined;

/** The model is immutable once loaded, so one instance serves every simulator in the process. */
export function sharedModel(): OrcidModel {
  shared ??= new OrcidModel();
  return shared;
}
