// `lanyard migrate`: applies pending migrations (they also run at every start).
import { Command } from '@commander-js/extra-typings';
import { loadConfig } from '../config.js';
import { openPlatform } from '../platform.js';

export function migrateCommand(): Command {
  return new Command('migrate').description('Apply pending database migrations').action(async () => {
    const platform = await openPlatform(loadConfig(), { log: (l) => console.log(l) });
    try {
      console.log('database is at the latest migration');
    } finally {
      await platform.close();
    }
  });
}
