// `lanyard serve --role web|worker|all`: the platform's processes. On SIGINT/SIGTERM they stop
// in order: stop accepting requests, let running jobs finish (or return them to the queue),
// close the database, stop the embedded server.
import { Command, Option } from '@commander-js/extra-typings';
import type { Role } from '../app/roles.js';
import { loadConfig } from '../config.js';

export function serveCommand(): Command {
  return new Command('serve')
    .description('Run the platform: the web role, the worker role, or both in one process')
    .addOption(
      new Option('--role <role>', 'which role this process runs')
        .choices(['web', 'worker', 'all'] as const)
        .default('all' as Role),
    )
    .action(async (o) => {
      const config = loadConfig();
      const { createLogger } = await import('../logger.js');
      const logger = createLogger(config.LOG_LEVEL);
      const { openPlatform } = await import('../platform.js');
      const platform = await openPlatform(config, { log: (l) => logger.info(l) });
      const { startRoles } = await import('../app/roles.js');
      const roles = await startRoles(platform, config, logger, o.role);
      // Before saying it runs: a stop asked for the moment it is announced is a clean stop.
      onShutdown(async () => {
        await roles.stop();
        await platform.close();
      }, logger);
      if (roles.webUrl) console.log(`Lanyard web listening on ${roles.webUrl}`);
      if (o.role !== 'web') console.log('Lanyard worker running');
    });
}

/** Runs `stop` once on SIGINT/SIGTERM, then exits (1 when stopping failed). */
export function onShutdown(
  stop: () => Promise<void>,
  logger: { error(e: unknown, msg: string): void },
): void {
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping`);
    try {
      await stop();
      console.log('stopped');
      process.exit(0);
    } catch (e) {
      logger.error(e, 'shutdown failed');
      console.error(`stopping failed: ${e instanceof Error ? e.message : String(e)}`);
      process.exit(1);
    }
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}
