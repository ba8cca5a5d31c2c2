// The keys that seal secrets at rest. The first key seals; every key opens. Keys come from
// LANYARD_KEYS ("id:base64key,id:base64key", newest first) or, in embedded mode, from a key file
// created with mode 0600 under the data directory.
import { hkdfSync, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';

export interface DataKey {
  id: string;
  key: Buffer;
}

export class KeyRingError extends Error {}

const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

export class KeyRing {
  readonly byId: ReadonlyMap<string, Buffer>;

  constructor(readonly keys: readonly DataKey[]) {
    if (keys.length === 0) throw new KeyRingError('a key ring needs at least one key');
    const byId = new Map<string, Buffer>();
    for (const k of keys) {
      if (!KEY_ID.test(k.id))
        throw new KeyRingError(`key id "${k.id}" must be 1-32 characters of [A-Za-z0-9_-]`);
      if (k.key.length !== 32)
        throw new KeyRingError(`key "${k.id}" must be 32 bytes (AES-256), got ${k.key.length}`);
      if (byId.has(k.id)) throw new KeyRingError(`key id "${k.id}" appears twice`);
      byId.set(k.id, k.key);
    }
    this.byId = byId;
  }

  /** The key new values are sealed with. */
  get current(): DataKey {
    return this.keys[0]!;
  }

  /** "id:base64,id:base64" as LANYARD_KEYS holds it. */
  static parse(value: string): KeyRing {
    const keys = value
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean)
      .map((part) => {
        const i = part.indexOf(':');
        if (i < 1)
          throw new KeyRingError(`LANYARD_KEYS entry must be id:base64key, got "${part.slice(0, 12)}…"`);
        return { id: part.slice(0, i), key: Buffer.from(part.slice(i + 1), 'base64') };
      });
    return new KeyRing(keys);
  }

  /**
   * Secrets for another purpose (e.g. signing session cookies), one per key, newest first, so a
   * rotation keeps accepting what older keys signed. HKDF keeps them independent of the sealing keys.
   */
  derive(purpose: string): string[] {
    return this.keys.map((k) =>
      Buffer.from(hkdfSync('sha256', k.key, Buffer.alloc(0), purpose, 32)).toString('base64'),
    );
  }

  format(): string {
    return this.keys.map((k) => `${k.id}:${k.key.toString('base64')}`).join(',');
  }

  /** A ring with a fresh key in front (it seals from now on); the old keys still open. */
  withNewKey(id = newKeyId()): KeyRing {
    return new KeyRing([{ id, key: randomBytes(32) }, ...this.keys]);
  }
}

export function newKeyId(): string {
  return `k${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}${randomBytes(2).toString('hex')}`;
}

/** Embedded mode: the ring lives in a 0600 file, created with one key on first use. */
export function loadKeyFile(path: string): KeyRing {
  if (!existsSync(path)) {
    const ring = new KeyRing([{ id: newKeyId(), key: randomBytes(32) }]);
    saveKeyFile(path, ring);
    return ring;
  }
  return KeyRing.parse(readFileSync(path, 'utf8').trim());
}

export function saveKeyFile(path: string, ring: KeyRing): void {
  writeFileSync(path, `${ring.format()}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
}
