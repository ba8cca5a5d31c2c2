// Identifier formats of the registry: ORCID iDs (ISO 7064 MOD 11-2), client ids, codes, tokens.
import { randomInt, randomUUID } from 'node:crypto';

const ORCID_RE = /^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$/;

/** The ISO 7064 MOD 11-2 check character for the first 15 digits of an iD. */
export function orcidCheckChar(baseDigits: string): string {
  let total = 0;
  for (const ch of baseDigits) total = (total + Number(ch)) * 2;
  const result = (12 - (total % 11)) % 11;
  return result === 10 ? 'X' : String(result);
}

export function isOrcidFormat(value: string): boolean {
  return ORCID_RE.test(value);
}

export function isValidOrcid(value: string): boolean {
  if (!ORCID_RE.test(value)) return false;
  const digits = value.replace(/-/g, '');
  return orcidCheckChar(digits.slice(0, 15)) === digits[15];
}

/** A new checksummed iD in the 0009- block ORCID assigns today. */
export function newOrcid(taken: (id: string) => boolean): string {
  for (;;) {
    let base = '0009';
    for (let i = 0; i < 11; i++) base += String(randomInt(10));
    const digits = base + orcidCheckChar(base);
    const id = digits.replace(/(.{4})(?!$)/g, '$1-');
    if (!taken(id)) return id;
  }
}

const UPPER_ALNUM = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const ALNUM = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

function randomString(alphabet: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

export const newClientId = (): string => `APP-${randomString(UPPER_ALNUM, 16)}`;
export const newClientSecret = (): string => randomUUID();
/** Authorization codes: six characters of [0-9a-zA-Z] (SPEC 3.6). */
export const newAuthCode = (): string => randomString(ALNUM, 6);
export const newToken = (): string => randomUUID();
export const CLIENT_ID_RE = /^APP-[\dA-Z]{16}$/;
