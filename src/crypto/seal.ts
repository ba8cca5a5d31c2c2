// Sealing of secrets at rest: AES-256-GCM with a random 96-bit IV, the key id in the sealed
// value (for rotation) and AAD binding the value to its table, column and row, so a sealed value
// copied to another row or column does not open.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { KeyRing } from './key-ring.js';

export interface SealContext {
  table: string;
  column: string;
  row: string;
}

export class SealError extends Error {
  constructor(
    readonly reason: 'format' | 'unknown-key' | 'tampered',
    message: string,
  ) {
    super(message);
  }
}

const VERSION = 'v1';

const aad = (c: SealContext): Buffer => Buffer.from(`${c.table}/${c.column}/${c.row}`, 'utf8');

export function seal(ring: KeyRing, plaintext: string, context: SealContext): string {
  const { id, key } = ring.current;
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad(context));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return `${VERSION}:${id}:${iv.toString('base64url')}:${ciphertext.toString('base64url')}`;
}

/** The id of the key a sealed value was sealed with. */
export function sealedKeyId(sealed: string): string {
  const parts = sealed.split(':');
  if (parts.length !== 4 || parts[0] !== VERSION) throw new SealError('format', 'not a sealed value');
  return parts[1]!;
}

export function open(ring: KeyRing, sealed: string, context: SealContext): string {
  const parts = sealed.split(':');
  if (parts.length !== 4 || parts[0] !== VERSION) throw new SealError('format', 'not a sealed value');
  const [, keyId, ivText, bodyText] = parts as [string, string, string, string];
  const key = ring.byId.get(keyId);
  if (!key)
    throw new SealError('unknown-key', `sealed with key "${keyId}", which the key ring does not hold`);
  const iv = Buffer.from(ivText, 'base64url');
  const body = Buffer.from(bodyText, 'base64url');
  if (iv.length !== 12 || body.length < 16) throw new SealError('format', 'sealed value is truncated');
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAAD(aad(context));
  decipher.setAuthTag(body.subarray(body.length - 16));
  try {
    return Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()]).toString(
      'utf8',
    );
  } catch {
    throw new SealError(
      'tampered',
      `sealed value for ${context.table}.${context.column} did not authenticate`,
    );
  }
}
