// `lanyard keys rotate`: seals every secret under the newest key. In embedded mode it first adds
// a new key to the key file; with LANYARD_KEYS the operator puts the new key first. Stopping it
// (Ctrl-C) is safe: run it again to finish.
import { Command } from '@commander-js/extra-typings';
import { saveKeyFile } from '../crypto/key-ring.js';
import { resealAll } from '../crypto/rotate.js';
import { withContainer } from './cli-container.js';

export function keysCommand(): Command {
  const keys = new Command('keys').description('Manage the keys that seal secrets at rest');
  keys
    .command('rotate')
    .description('Seal every secret with the newest key (adds one to the key file in embedded mode)')
    .option('--no-new-key', 'finish an interrupted rotation without adding another key')
    .action(async (o) => {
      await withContainer(async (c, { platform }) => {
        let ring = platform.ring;
        if (platform.keyFile && o.newKey) {
          ring = ring.withNewKey();
          saveKeyFile(platform.keyFile, ring);
          console.log(`added key ${ring.current.id} to ${platform.keyFile}`);
        }
        const controller = new AbortController();
        process.once('SIGINT', () => controller.abort());
        process.once('SIGTERM', () => controller.abort());
        const result = await resealAll(ring, c.repos.sealedValues, {
          signal: controller.signal,
          onProgress: (c, n) => console.log(`${c.table}.${c.column}: ${n} re-sealed so far`),
        });
        // The whole installation's: no organisation's audit log, the operator's (no tenant).
        await c.repos.portalLog.audit({
          tenantId: null,
          actor: 'cli',
          action: result.remaining ? 'keys.rotation_stopped' : 'keys.rotated',
          subject: ring.current.id,
          details: { resealed: result.resealed, remaining: result.remaining },
        });
        console.log(
          result.remaining
            ? `stopped after ${result.resealed} values; run \`lanyard keys rotate --no-new-key\` to finish`
            : `done: ${result.resealed} values now sealed with ${ring.current.id}`,
        );
        process.exitCode = result.remaining ? 3 : 0;
      });
    });
  return keys;
}
