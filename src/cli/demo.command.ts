// `lanyard demo` (npm start): until the portal exists, the ORCID simulator with the demo seed.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from '@commander-js/extra-typings';
import { loadConfig } from '../config.js';
import { startSandbox } from './sandbox.command.js';

export const DEMO_SEED = join(dirname(fileURLToPath(import.meta.url)), '../sandbox/seed/demo-seed.json');

export function demoCommand(): Command {
  return new Command('demo')
    .description('Start the demo: the ORCID simulator seeded with a demo organisation')
    .action(async () => {
      const config = loadConfig();
      const { sandbox, base } = await startSandbox({
        port: config.LANYARD_SANDBOX_PORT,
        host: config.LANYARD_SANDBOX_HOST,
        publicUrl: config.LANYARD_SANDBOX_PUBLIC_URL,
        seed: DEMO_SEED,
        control: true,
        webhookIntervalMs: 1000,
        webhookRetryDelayMs: 5000,
      });
      console.log(`ORCID sandbox listening on ${base}`);
      console.log('');
      console.log('Lanyard demo. The researcher portal is not built yet: this starts the ORCID simulator');
      console.log('with the demo seed, the control API on, so you can try ORCID OAuth and the v3.0 API.');
      console.log(
        `  Registry (sign in):   ${base}/signin   ada@example.org / password (iD 0000-0002-1825-0097)`,
      );
      console.log(`  Member API:           ${base}/api/v3.0/`);
      console.log(`  Public API:           ${base}/pub/v3.0/0000-0002-1825-0097`);
      console.log(`  OIDC discovery:       ${base}/.well-known/openid-configuration`);
      console.log(`  Control API state:    ${base}/__sandbox/state`);
      console.log('  Member client:        APP-LANYARDDEMO00001 / demo-client-secret-change-me');
      console.log(
        `  Try the consent page: ${base}/oauth/authorize?client_id=APP-LANYARDDEMO00001&response_type=code&scope=/read-limited%20/activities/update&redirect_uri=http://127.0.0.1/callback`,
      );
      const stop = async () => {
        await sandbox.close();
        process.exit(0);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
