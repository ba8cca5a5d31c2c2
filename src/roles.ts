// Starts the platform's roles in this process: web (portal, API), worker (jobs), or both, and
// stops them in order: stop accepting requests, let running jobs finish, close what they opened.
import { type Config, ConfigError } from './config.js';
import type { Logger } from './logger.js';
import type { TransportOptions } from './orcid/transport.js';
import type { Platform } from './platform.js';

export type Role = 'web' | 'worker' | 'all';

export interface RunningRoles {
  /** The web role's address (null without it). */
  webUrl: string | null;
  /** Where people reach the web role. */
  publicUrl: string;
  stop(): Promise<void>;
}

export function localOrcidUrl(config: Config): string {
  return config.LANYARD_LOCAL_ORCID_URL ?? `http://127.0.0.1:${config.LANYARD_SANDBOX_PORT}`;
}

/**
 * People of an organisation on ORCID's production environment sign in and hold sessions here:
 * without an https public URL their cookies would not be Secure and HSTS would be off.
 */
async function refuseInsecureProduction(platform: Platform, config: Config): Promise<void> {
  if (config.LANYARD_PUBLIC_URL?.startsWith('https://')) return;
  const { TenantRepository } = await import('./db/tenant.repository.js');
  const slugs = await new TenantRepository(platform.db.db, platform.ring).slugsOn('production');
  if (slugs.length)
    throw new ConfigError([
      `LANYARD_PUBLIC_URL: must be an https:// address while organisations use ORCID's production environment (${slugs.join(', ')}); it is ${config.LANYARD_PUBLIC_URL ?? 'unset'}`,
    ]);
}

export async function startRoles(
  platform: Platform,
  config: Config,
  logger: Logger,
  role: Role,
  options: { orcidTransport?: TransportOptions; pollingSeconds?: number } = {},
): Promise<RunningRoles> {
  const stops: Array<() => Promise<void>> = [];
  const { Queue } = await import('./queue/queue.js');
  // The web role only sends jobs (no schedules, no maintenance): the worker owns those.
  const queue = await Queue.start(platform.url, { schedule: role !== 'web' });
  let webUrl: string | null = null;
  let publicUrl = config.LANYARD_PUBLIC_URL ?? `http://${config.LANYARD_HOST}:${config.LANYARD_PORT}`;

  if (role === 'web' || role === 'all') {
    await refuseInsecureProduction(platform, config);
    const { buildApp } = await import('./web/app.js');
    const { revocationQueue, revokeTokenJob } = await import('./jobs/revoke-token.job.js');
    const { itemWriteQueue, writeItemJob } = await import('./jobs/write-item.job.js');
    const { invitationMailQueue, sendInvitationJob } = await import('./jobs/send-invitation.job.js');
    await queue.register(revokeTokenJob);
    await queue.register(writeItemJob);
    await queue.register(sendInvitationJob);
    const { stateUploadJob, uploadStatingQueue } = await import('./jobs/state-upload.job.js');
    await queue.register(stateUploadJob);
    const app = buildApp({
      db: platform.db.db,
      pool: platform.db.pool,
      logger,
      ring: platform.ring,
      publicUrl,
      localOrcidUrl: localOrcidUrl(config),
      revocations: revocationQueue(queue),
      writes: itemWriteQueue(queue),
      invitations: invitationMailQueue(queue),
      uploadStating: uploadStatingQueue(queue),
      // Embedded mode is the demo: its outbox page shows the mail that would be sent.
      showOutbox: !config.DATABASE_URL,
      configuredAdmins: config.LANYARD_ADMINS,
      trustProxy: config.LANYARD_TRUST_PROXY,
      limits: {
        signInPerAccount: config.LANYARD_SIGNIN_LIMIT_PER_ACCOUNT,
        signInPerAddress: config.LANYARD_SIGNIN_LIMIT_PER_ADDRESS,
        apiPerKey: config.LANYARD_API_LIMIT_PER_KEY,
      },
      ...(options.orcidTransport ? { orcidTransport: options.orcidTransport } : {}),
    });
    await app.listen({ port: config.LANYARD_PORT, host: config.LANYARD_HOST });
    const addr = app.server.address();
    const port = typeof addr === 'object' && addr ? addr.port : config.LANYARD_PORT;
    webUrl = `http://${config.LANYARD_HOST}:${port}`;
    if (!config.LANYARD_PUBLIC_URL) publicUrl = webUrl;
    stops.push(() => app.close());
  }
  if (role === 'worker' || role === 'all') {
    const { startWorker } = await import('./worker.js');
    const { smtpMailer } = await import('./mail/mailer.js');
    const closeWorker = await startWorker({
      db: platform.db.db,
      ring: platform.ring,
      queue,
      logger,
      localOrcidUrl: localOrcidUrl(config),
      callLogRetentionDays: config.LANYARD_CALL_LOG_RETENTION_DAYS,
      publicUrl,
      writeLeaseSeconds: config.LANYARD_WRITE_LEASE_SECONDS,
      writeConcurrency: config.LANYARD_WRITE_CONCURRENCY,
      mailer: smtpMailer(config.LANYARD_SMTP_URL, config.LANYARD_MAIL_FROM),
      ...(options.orcidTransport ? { orcidTransport: options.orcidTransport } : {}),
      ...(options.pollingSeconds ? { pollingSeconds: options.pollingSeconds } : {}),
    });
    stops.push(async () => {
      await queue.stop(30_000);
      await closeWorker();
    });
  } else {
    stops.push(() => queue.stop(5_000));
  }
  return {
    webUrl,
    publicUrl,
    async stop() {
      for (const stop of stops) await stop();
    },
  };
}
