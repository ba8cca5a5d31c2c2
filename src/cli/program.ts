// The `lanyard` command-line program.

import { Command } from '@commander-js/extra-typings';
import { demoCommand } from './demo.command.js';
import { eventsCommand } from './events.command.js';
import { exportLinksCommand } from './export-links.command.js';
import { adminCommand, exportCommand, importCommand } from './import.command.js';
import { keysCommand } from './keys.command.js';
import { migrateCommand } from './migrate.command.js';
import { operatorCommand } from './operator.command.js';
import { sandboxCommand } from './sandbox.command.js';
import { serveCommand } from './serve.command.js';
import { tenantCommand } from './tenant.command.js';

export function buildProgram(): Command {
  return new Command('lanyard')
    .description('Lanyard: ORCID integration platform for research organisations')
    .addCommand(demoCommand())
    .addCommand(sandboxCommand())
    .addCommand(serveCommand())
    .addCommand(migrateCommand())
    .addCommand(keysCommand())
    .addCommand(tenantCommand())
    .addCommand(eventsCommand())
    .addCommand(adminCommand())
    .addCommand(operatorCommand())
    .addCommand(importCommand())
    .addCommand(exportCommand())
    .addCommand(exportLinksCommand());
}
