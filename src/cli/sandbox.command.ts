// `lanyard sandbox`: the ORCID simulator on its own.
import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from '@commander-js/extra-typings';
import { createSandbox, type SandboxSeed } from '../sandbox/server.js';

function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new InvalidArgumentError('must be a port number (0-65535)');
  return n;
}

export interface SandboxStartOptions {
  port: number;
  host: string;
  seed?: string;
  control: boolean;
  publicUrl?: string;
  snapshot?: string;
  webhookIntervalMs?: number;
  webhookRetryDelayMs?: number;
  rateLimit?: boolean;
}

export function readSeed(file: string): SandboxSeed {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as SandboxSeed;
  } catch (e) {
    throw new Error(`cannot read seed file ${file}: ${(e as Error).message}`);
  }
}

export async function startSandbox(o: SandboxStartOptions) {
  const sandbox = await createSandbox(
    {
      control: o.control,
      publicUrl: o.publicUrl,
      snapshotFile: o.snapshot,
      ...(o.webhookIntervalMs ? { webhookIntervalMs: o.webhookIntervalMs } : {}),
      ...(o.webhookRetryDelayMs ? { webhookRetryDelayMs: o.webhookRetryDelayMs } : {}),
      ...(o.rateLimit === false
        ? { rateLimit: { memberPerSecond: 24, publicPerSecond: 12, burst: 40, enabled: false } }
        : {}),
    },
    o.seed ? readSeed(o.seed) : undefined,
  );
  const base = await sandbox.listen(o.port, o.host);
  return { sandbox, base };
}

export function sandboxCommand(): Command {
  return new Command('sandbox')
    .description('Run the ORCID simulator: registry, OAuth/OIDC, member and public API v3.0')
    .option('-p, --port <port>', 'port to listen on (0 = any free port)', parsePort, 8400)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--seed <file>', 'JSON file with {clients: [...], researchers: [...]}')
    .option('--control', 'serve the control API at /__sandbox/', false)
    .option(
      '--public-url <url>',
      'base URL used for the OIDC issuer and iD URIs (default: the listening address)',
    )
    .option('--snapshot <file>', 'keep the state in this file across restarts')
    .option('--webhook-interval-ms <ms>', 'how often due webhooks are sent', Number)
    .option('--webhook-retry-delay-ms <ms>', 'delay unit between webhook retries', Number)
    .option('--no-rate-limit', 'switch the per-client rate limit off')
    .action(async (o) => {
      const { sandbox, base } = await startSandbox(o);
      console.log(`ORCID sandbox listening on ${base}`);
      const stop = async () => {
        await sandbox.close();
        process.exit(0);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
