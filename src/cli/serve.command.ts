// `lanyard serve --role web|worker|all`: the platform's processes. On SIGINT/SIGTERM they stop
// in order: stop accepting requests, let running jobs finish (or return them to the queue),
// close the database, stop the embedded server.
import { Command, Option } from '@commander-js/extra-typings';
import { loadConfig } from '../config.js';

type Role = 'web' | 'worker' | 'all';

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
      const stops: Array<() => Promise<void>> = [];

      if (o.role === 'web' || o.role === 'all') {
        const { buildApp } = await import('../web/app.js');
        const app = buildApp({ db: platform.db.db, logger });
        await app.listen({ port: config.LANYARD_PORT, host: config.LANYARD_HOST });
        const addr = app.server.address();
        const port = typeof addr === 'object' && addr ? addr.port : config.LANYARD_PORT;
        console.log(`Lanyard web listening on http://${config.LANYARD_HOST}:${port}`);
        stops.push(() => app.close());
      }
      if (o.role === 'worker' || o.role === 'all') {
        const { Queue } = await import('../queue/queue.js');
        const { purgeCallLog, purgeCallLogJob } = await import('../jobs/purge-call-log.job.js');
        const queue = await Queue.start(platform.url);
        await queue.register(purgeCallLogJob);
        await queue.work(purgeCallLogJob, async (p) => {
          const n = await purgeCallLog(platform.db.db, p.olderThanDays);
          logger.info({ deleted: n }, 'purged old ORCID calls');
        });
        await queue.schedule(purgeCallLogJob, '17 3 * * *', {
          olderThanDays: config.LANYARD_CALL_LOG_RETENTION_DAYS,
        });
        console.log('Lanyard worker running');
        stops.push(() => queue.stop(30_000));
      }

      let stopping = false;
      const shutdown = async (signal: string) => {
        if (stopping) return;
        stopping = true;
        console.log(`${signal}: stopping`);
        try {
          for (const stop of stops) await stop();
          await platform.close();
          console.log('stopped');
          process.exit(0);
        } catch (e) {
          logger.error(e, 'shutdown failed');
          process.exit(1);
        }
      };
      process.on('SIGINT', () => void shutdown('SIGINT'));
      process.on('SIGTERM', () => void shutdown('SIGTERM'));
    });
}
