// Starts the platform's roles in this process: web (portal, API), worker (jobs), or both, on one
// container, and stops them in order: stop accepting requests, let running jobs finish, close
// what they opened.
import { type Config, ConfigError } from '../config.js';
import type { Logger } from '../logger.js';
import type { TransportOptions } from '../orcid/transport.js';
import type { Platform } from '../platform.js';
import { type Container, containerOf } from './container.js';

export type Role = 'web' | 'worker' | 'all';

export interface RunningRoles {
  /** The web role's address (null without it). */
  webUrl: string | null;
  /** Where people reach the web role. */
  publicUrl: string;
  /** The process's parts (tests reach the services through it). */
  container: Container;
  stop(): Promise<void>;
}

/**
 * People of an organisation on ORCID's production environment sign in and hold sessions here:
 * without an https public URL their cookies would not be Secure and HSTS would be off.
 */
async function refuseInsecureProduction(c: Container, config: Config): Promise<void> {
  if (config.LANYARD_PUBLIC_URL?.startsWith('https://')) return;
  const slugs = await c.repos.tenants.slugsOn('production');
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
  options: {
    orcidTransport?: TransportOptions;
    pollingSeconds?: number;
    /** The demo operator signs in with a password (the embedded demo only). */
    operatorPasswords?: boolean;
  } = {},
): Promise<RunningRoles> {
  const stops: Array<() => Promise<void>> = [];
  const { Queue } = await import('../queue/queue.js');
  const { queuePorts, registerJobs } = await import('../jobs/index.js');
  // The web role only sends jobs (no schedules, no maintenance): the worker owns those.
  const queue = await Queue.start(platform.url, { schedule: role !== 'web' });
  await registerJobs(queue);
  const worker = role === 'worker' || role === 'all';
  const mailer = worker
    ? (await import('../mail/mailer.js')).smtpMailer(config.LANYARD_SMTP_URL, config.LANYARD_MAIL_FROM)
    : null;
  const container = containerOf(platform, config, {
    logger,
    queues: queuePorts(queue),
    mailer,
    jobQueue: queue,
    ...(options.orcidTransport ? { orcidTransport: options.orcidTransport } : {}),
  });
  await container.listenForNotices();
  let webUrl: string | null = null;

  if (role === 'web' || role === 'all') {
    await refuseInsecureProduction(container, config);
    const { buildApp } = await import('../web/app.js');
    const app = buildApp(container, {
      // Embedded mode is the demo: its outbox page shows the mail that would be sent.
      showOutbox: !config.DATABASE_URL,
      trustProxy: config.LANYARD_TRUST_PROXY,
      ...(config.LANYARD_METRICS_TOKEN ? { metricsToken: config.LANYARD_METRICS_TOKEN } : {}),
      operatorSignIn: {
        ...(config.LANYARD_OPERATOR_OIDC_ISSUER && config.LANYARD_OPERATOR_OIDC_CLIENT_ID
          ? {
              oidc: {
                issuer: config.LANYARD_OPERATOR_OIDC_ISSUER,
                clientId: config.LANYARD_OPERATOR_OIDC_CLIENT_ID,
                ...(config.LANYARD_OPERATOR_OIDC_CLIENT_SECRET
                  ? { clientSecret: config.LANYARD_OPERATOR_OIDC_CLIENT_SECRET }
                  : {}),
              },
            }
          : {}),
        passwords: options.operatorPasswords === true,
      },
      limits: {
        signInPerAccount: config.LANYARD_SIGNIN_LIMIT_PER_ACCOUNT,
        signInPerAddress: config.LANYARD_SIGNIN_LIMIT_PER_ADDRESS,
        apiPerKey: config.LANYARD_API_LIMIT_PER_KEY,
      },
    });
    await app.listen({ port: config.LANYARD_PORT, host: config.LANYARD_HOST });
    const addr = app.server.address();
    const port = typeof addr === 'object' && addr ? addr.port : config.LANYARD_PORT;
    webUrl = `http://${config.LANYARD_HOST}:${port}`;
    if (!config.LANYARD_PUBLIC_URL) container.publicUrl = webUrl;
    stops.push(() => app.close());
  }
  if (worker) {
    const { startWorker } = await import('./worker.js');
    const running = await startWorker(
      queue,
      container,
      options.pollingSeconds ? { pollingSeconds: options.pollingSeconds } : {},
    );
    stops.push(() => running.stop(30_000));
    stops.push(() => queue.stop(30_000));
  } else {
    stops.push(() => queue.stop(5_000));
  }
  if (config.LANYARD_METRICS_PORT) {
    const { serveMetrics } = await import('./metrics-server.js');
    const metrics = await serveMetrics(
      container.metrics,
      config.LANYARD_METRICS_PORT,
      config.LANYARD_METRICS_HOST,
    );
    logger.info({ url: metrics.url }, 'metrics served');
    stops.unshift(() => metrics.close());
  }
  stops.push(() => container.close());
  return {
    webUrl,
    publicUrl: container.publicUrl,
    container,
    async stop() {
      for (const stop of stops) await stop();
    },
  };
}
