// `lanyard tenant add|update|show|api-key`: organisations from the command line. The ORCID client
// secret is read from stdin or a file, never from an argument (which would end up in shell
// history and process lists). Every change is audited with the actor "cli": which settings
// changed, never a secret's value.
import { readFileSync } from 'node:fs';
import { Command, Option } from '@commander-js/extra-typings';
import { sealedKeyId } from '../crypto/seal.js';
import type { NewTenant } from '../db/tenant.repository.js';
import { DEFAULT_SCOPES, portalSettingsSchema } from '../domain/tenant.js';
import { withContainer } from './cli-container.js';
import { fail, UsageError } from './cli-errors.js';

interface SecretOptions {
  clientSecretFile?: string;
  clientSecretStdin?: boolean;
}

async function readSecret(o: SecretOptions): Promise<string | undefined> {
  if (o.clientSecretFile && o.clientSecretStdin)
    throw new UsageError('give the client secret either from a file or from stdin, not both');
  if (o.clientSecretFile) return readFileSync(o.clientSecretFile, 'utf8').trim();
  if (!o.clientSecretStdin) return undefined;
  let data = '';
  for await (const chunk of process.stdin) data += chunk;
  return data.trim();
}

/** A subcommand taking a slug and every settings option. */
const settingsCommand = (name: string, description: string) =>
  new Command(name)
    .description(description)
    .argument('<slug>', 'short name used in URLs (/o/<slug>/)')
    .option('--name <name>', 'the organisation as researchers know it')
    .addOption(
      new Option('--environment <env>', 'ORCID environment').choices([
        'production',
        'sandbox',
        'local',
      ] as const),
    )
    .addOption(new Option('--api-type <type>', 'ORCID API').choices(['member', 'public'] as const))
    .option('--client-id <id>', 'ORCID client id (APP-...)')
    .option('--client-secret-file <path>', 'read the ORCID client secret from this file')
    .option('--client-secret-stdin', 'read the ORCID client secret from standard input')
    .option('--scopes <scopes>', 'scopes asked of researchers (default by API type)')
    .option('--redirect-uri <uri>', 'the ORCID OAuth callback registered with ORCID')
    .option('--support-contact <contact>', 'shown to researchers when something goes wrong')
    .option('--rate-limit <perSecond>', 'ORCID requests per second for this client', Number)
    .option('--burst <n>', 'ORCID burst for this client', Number)
    .addOption(
      new Option('--wire-format <format>', 'JSON or XML towards ORCID').choices(['json', 'xml'] as const),
    )
    .option(
      '--portal-file <path>',
      'JSON with the portal texts, institutional sign-in and affiliation identity (docs/portal.md)',
    )
    .option('--oidc-client-secret-file <path>', "read the institutional OIDC client's secret from this file");

type SettingsFlags = {
  name?: string;
  environment?: 'production' | 'sandbox' | 'local';
  apiType?: 'member' | 'public';
  clientId?: string;
  scopes?: string;
  redirectUri?: string;
  supportContact?: string;
  rateLimit?: number;
  burst?: number;
  wireFormat?: 'json' | 'xml';
  portalFile?: string;
  oidcClientSecretFile?: string;
} & SecretOptions;

function readPortalFile(path: string): Partial<NewTenant> {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UsageError(`cannot read ${path}: ${(e as Error).message}`);
  }
  const r = portalSettingsSchema.safeParse(json);
  if (!r.success)
    throw new UsageError(
      `invalid portal settings in ${path}:\n${r.error.issues.map((i) => `  - ${i.path.join('.') || 'file'}: ${i.message}`).join('\n')}`,
    );
  const t: Partial<NewTenant> = {};
  if (r.data.texts) t.portalTexts = r.data.texts;
  if (r.data.signIn) t.signIn = r.data.signIn;
  if (r.data.org) t.org = r.data.org;
  if (r.data.employmentOnConnect !== undefined) t.employmentOnConnect = r.data.employmentOnConnect;
  if (r.data.sync) t.sync = r.data.sync;
  if (r.data.tokenExport !== undefined) t.tokenExport = r.data.tokenExport;
  if (r.data.invitations) t.invitations = r.data.invitations;
  return t;
}

function fromFlags(o: SettingsFlags, secret: string | undefined): Partial<NewTenant> {
  const t: Partial<NewTenant> = {};
  if (o.name !== undefined) t.name = o.name;
  if (o.environment !== undefined) t.orcidEnvironment = o.environment;
  if (o.apiType !== undefined) t.apiType = o.apiType;
  if (o.clientId !== undefined) t.clientId = o.clientId;
  if (secret !== undefined) t.clientSecret = secret;
  if (o.scopes !== undefined) t.scopes = o.scopes;
  if (o.redirectUri !== undefined) t.redirectUri = o.redirectUri;
  if (o.supportContact !== undefined) t.supportContact = o.supportContact;
  if (o.rateLimit !== undefined) t.rateLimitPerSecond = o.rateLimit;
  if (o.burst !== undefined) t.rateLimitBurst = o.burst;
  if (o.wireFormat !== undefined) t.wireFormat = o.wireFormat;
  if (o.portalFile !== undefined) Object.assign(t, readPortalFile(o.portalFile));
  if (o.oidcClientSecretFile !== undefined)
    t.oidcClientSecret = readFileSync(o.oidcClientSecretFile, 'utf8').trim();
  return t;
}

function check(problems: string[]): void {
  if (problems.length)
    throw new UsageError(`invalid organisation settings:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
}

export function tenantCommand(): Command {
  const tenant = new Command('tenant').description('Manage organisations (tenants)');

  const add = settingsCommand('add', 'Add an organisation').action(async (slug, o) => {
    try {
      // Without a client id and secret the organisation waits for its administrator to enter
      // them (as one the operator creates); one without the other is refused by the settings check.
      const secret = await readSecret(o);
      const apiType = o.apiType ?? 'member';
      const settings = {
        slug,
        apiType,
        scopes: DEFAULT_SCOPES[apiType],
        orcidEnvironment: 'sandbox',
        ...fromFlags(o, secret),
      };
      await withContainer(async (c) => {
        if (await c.repos.tenants.bySlug(slug))
          throw new UsageError(`an organisation with slug ${slug} exists already`);
        const r = await c.tenantSettings.create(settings as NewTenant, 'cli');
        if (!r.ok) return check(r.problems);
        console.log(`added ${r.tenant.slug} (${r.tenant.id})`);
      });
    } catch (e) {
      fail(e);
    }
  });

  const update = settingsCommand('update', 'Change an organisation').action(async (slug, o) => {
    try {
      const changes = fromFlags(o, await readSecret(o));
      await withContainer(async (c) => {
        const current = await c.repos.tenants.bySlug(slug);
        if (!current) throw new UsageError(`no organisation with slug ${slug}`);
        const r = await c.tenantSettings.update(current, changes, 'cli');
        if (!r.ok) return check(r.problems);
        console.log(`updated ${slug}: ${r.changed.join(', ') || 'nothing'}`);
      });
    } catch (e) {
      fail(e);
    }
  });

  tenant.addCommand(add);
  tenant.addCommand(update);
  tenant
    .command('show')
    .description('Show an organisation (the client secret stays sealed)')
    .argument('<slug>')
    .action(async (slug) => {
      try {
        await withContainer(async ({ repos: { tenants: repo } }) => {
          const t = await repo.bySlug(slug);
          if (!t) throw new UsageError(`no organisation with slug ${slug}`);
          console.log(
            JSON.stringify(
              { ...t, client_secret: `sealed with key ${sealedKeyId(await repo.sealedSecretOf(t.id))}` },
              null,
              2,
            ),
          );
        });
      } catch (e) {
        fail(e);
      }
    });
  tenant
    .command('api-key')
    .description("Make an API key for the organisation's systems (printed once, stored hashed)")
    .argument('<slug>')
    .requiredOption('--name <name>', 'what the key is for, e.g. "HR feed"')
    .action(async (slug, o) => {
      try {
        await withContainer(async (c) => {
          const t = await c.repos.tenants.bySlug(slug);
          if (!t) throw new UsageError(`no organisation with slug ${slug}`);
          const { key } = await c.apiKeys.create(t.id, o.name, 'cli');
          console.log(key);
          console.error(`API key "${o.name}" for ${slug}: keep it now, it is not shown again.`);
        });
      } catch (e) {
        fail(e);
      }
    });
  return tenant;
}
