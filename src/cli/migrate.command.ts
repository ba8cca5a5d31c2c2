// `lanyard migrate`: applies pending migrations (they also run at every start).
import { Command } from '@commander-js/extra-typings';
import { loadConfig } from '../config.js';

export function migrateCommand(): Command {
  return new Command('migrate').description('Apply pending database migrations').action(async () => {
    // Loaded on use: the database driver installs exit hooks that other commands must not get.
    const { openPlatform } = await import('../platform.js');
    const platform = await openPlatform(loadConfig(), { log: (l) => console.log(l) });
    console.log('database is at the latest migration');
    await platform.close();
  });
}
