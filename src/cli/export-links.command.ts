// `lanyard export-links <slug> [--format csv|json] [--with-tokens] [--out file]`: the data export
// of the console from the command line (an operator's or a scheduled copy): every stored iD with
// its person, link, scopes, expiry and put codes; tokens in clear only with --with-tokens and if
// the organisation allows it. Written as it is read; audited with the actor "cli".
import { createWriteStream } from 'node:fs';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Command, Option } from '@commander-js/extra-typings';
import { TokenExportForbidden } from '../services/links-export.service.js';
import { withContainer } from './cli-container.js';
import { fail, UsageError } from './cli-errors.js';

export function exportLinksCommand() {
  return new Command('export-links')
    .description(
      "Export the organisation's iDs, links, scopes, expiry and put codes (tokens with --with-tokens)",
    )
    .argument('<slug>', 'the organisation')
    .addOption(
      new Option('--format <format>', 'csv or json')
        .choices(['csv', 'json'] as const)
        .default('csv' as const),
    )
    .option('--with-tokens', 'include the access and refresh tokens in clear (audited)')
    .option('--out <file>', 'write here instead of standard output')
    .action(async (slug, o) => {
      try {
        await withContainer(async (c) => {
          const tenant = await c.repos.tenants.bySlug(slug);
          if (!tenant) throw new UsageError(`no organisation with slug ${slug}`);
          const withTokens = o.withTokens === true;
          if (withTokens && !c.console.linksExport.tokensAllowed(tenant))
            throw new UsageError(new TokenExportForbidden().message);
          const text = c.console.linksExport.export(tenant, { format: o.format, withTokens, actor: 'cli' });
          const out = o.out
            ? createWriteStream(o.out, { mode: withTokens ? 0o600 : 0o644 })
            : new Writable({
                write: (chunk, _enc, done) =>
                  process.stdout.write(chunk) ? done() : process.stdout.once('drain', done),
              });
          await pipeline(Readable.from(text), out);
        });
      } catch (e) {
        fail(e);
      }
    });
}
