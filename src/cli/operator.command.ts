// `lanyard operator grant|revoke|list`: the installation's operators, by e-mail address (beside
// those LANYARD_OPERATORS names). Operators sign in to /operator/ through the operator sign-in.
import { Command } from '@commander-js/extra-typings';
import { z } from 'zod';
import { withContainer } from './cli-container.js';
import { fail, UsageError } from './cli-errors.js';

const email = (v: string) => {
  if (!z.email().safeParse(v.trim()).success) throw new UsageError(`${v}: expected an e-mail address`);
  return v.trim().toLowerCase();
};

export function operatorCommand(): Command {
  const operator = new Command('operator').description("The installation's operators (the operator console)");
  operator
    .command('grant')
    .description('Make an e-mail address an operator (they sign in with it at /operator/)')
    .argument('<email>')
    .action(async (address) => {
      try {
        const e = email(address);
        await withContainer(async (c) => {
          await c.operator.access.grant(e, 'cli');
          console.log(`${e} is an operator`);
        });
      } catch (err) {
        fail(err);
      }
    });
  operator
    .command('revoke')
    .argument('<email>')
    .action(async (address) => {
      try {
        const e = email(address);
        await withContainer(async (c) => {
          if (!(await c.operator.access.revoke(e, 'cli')))
            throw new UsageError(
              `${e} is not an operator granted here (LANYARD_OPERATORS is changed in the configuration)`,
            );
          console.log(`${e} is no longer an operator`);
        });
      } catch (err) {
        fail(err);
      }
    });
  operator.command('list').action(async () => {
    try {
      await withContainer(async (c) => {
        for (const o of await c.operator.access.list())
          console.log(
            `${o.email}\tgranted by ${o.granted_by}${o.granted_at ? ` on ${new Date(o.granted_at).toISOString()}` : ''}`,
          );
      });
    } catch (err) {
      fail(err);
    }
  });
  return operator;
}
