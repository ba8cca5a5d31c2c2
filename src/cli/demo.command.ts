// `lanyard demo` (npm start): everything on one machine. Embedded PostgreSQL, the ORCID
// simulator with its demo seed, the platform's web and worker roles, and a seeded demo
// organisation whose researchers sign in through a demo directory.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from '@commander-js/extra-typings';
import { loadConfig } from '../config.js';
import { startSandbox } from './sandbox.command.js';
import { onShutdown } from './serve.command.js';

export const DEMO_SEED = join(dirname(fileURLToPath(import.meta.url)), '../sandbox/seed/demo-seed.json');

export function demoCommand(): Command {
  return new Command('demo')
    .description('Start the demo: database, ORCID simulator, portal and worker, with a demo organisation')
    .action(async () => {
      const config = loadConfig();
      const { createLogger } = await import('../logger.js');
      const logger = createLogger(config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL);
      const { sandbox, base } = await startSandbox({
        port: config.LANYARD_SANDBOX_PORT,
        host: config.LANYARD_SANDBOX_HOST,
        publicUrl: config.LANYARD_SANDBOX_PUBLIC_URL,
        seed: DEMO_SEED,
        control: true,
        webhookIntervalMs: 1000,
        webhookRetryDelayMs: 5000,
      });
      // The demo organisation is on the `local` environment: the simulator just started.
      const demoConfig = { ...config, LANYARD_LOCAL_ORCID_URL: config.LANYARD_LOCAL_ORCID_URL ?? base };
      const { openPlatform } = await import('../platform.js');
      const platform = await openPlatform(demoConfig, { log: (l) => console.log(l) });
      const { startRoles } = await import('../app/roles.js');
      const roles = await startRoles(platform, demoConfig, logger, 'all', { operatorPasswords: true });
      const { seedDemoOrganisation, DEMO_PEOPLE, DEMO_OPERATOR } = await import(
        '../services/demo-organisation.js'
      );
      const tenant = await seedDemoOrganisation(
        roles.container.repos,
        roles.container.directory,
        roles.publicUrl,
      );
      // ORCID matches redirect URIs by scheme, host and port: on another port than the seed's
      // 3000, the demo client registers the portal's address.
      const demoClient = sandbox.ctx.store.clients.get(tenant.client_id);
      if (demoClient && !demoClient.redirectUris.includes(roles.publicUrl))
        demoClient.redirectUris.push(roles.publicUrl);
      await roles.container.operator.access.grant(DEMO_OPERATOR.email, 'demo', DEMO_OPERATOR.password);
      const portal = `${roles.publicUrl}/o/${tenant.slug}/`;
      console.log('');
      console.log('Lanyard demo is running.');
      console.log(`  Researcher portal:   ${portal}`);
      console.log(
        `  Demo sign-ins:       ${DEMO_PEOPLE.map((p) => `${p.username} / ${p.password}`).join(', ')} (demo directory)`,
      );
      console.log(
        `  ORCID simulator:     ${base}   ORCID accounts: ada@example.org / password, alan@example.org / password`,
      );
      console.log(
        `  Operator console:    ${roles.publicUrl}/operator/   (${DEMO_OPERATOR.email} / ${DEMO_OPERATOR.password})`,
      );
      console.log(`  Public iD list:      ${roles.publicUrl}/o/${tenant.slug}/people`);
      console.log(`  Display API:         ${roles.publicUrl}/o/${tenant.slug}/api/people/E1001`);
      console.log(`  Simulator state:     ${base}/__sandbox/state`);
      console.log('Press Ctrl+C to stop.');
      onShutdown(async () => {
        await roles.stop();
        await platform.close();
        await sandbox.close();
      }, logger);
    });
}
