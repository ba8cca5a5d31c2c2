// A real portal for tests: a fresh database, the web app on a free port (and the worker when
// asked), a tenant on the `local` environment whose ORCID client is registered in the test
// simulator, and demo-directory people.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { DestinationStream } from 'pino';
import { Container } from '../../src/app/container.js';
import { startWorker } from '../../src/app/worker.js';
import { KeyRing } from '../../src/crypto/key-ring.js';
import type { NewTenant, Tenant } from '../../src/db/tenant.repository.js';
import { queuePorts, registerJobs } from '../../src/jobs/index.js';
import { createLogger } from '../../src/logger.js';
import { checkSmtp, smtpMailer } from '../../src/mail/mailer.js';
import type { TransportOptions } from '../../src/orcid/transport.js';
import { Queue } from '../../src/queue/queue.js';
import { buildApp } from '../../src/web/app.js';
import type { AbuseLimits } from '../../src/web/plugins/abuse-limits.js';
import type { OperatorSignInOptions } from '../../src/web/routes/operator/sign-in.routes.js';
import { freshDatabase, type TestDatabase } from './database.js';
import { freePort } from './demo-process.js';
import { newClient, newResearcher, orcidAnswers } from './sandbox.js';
import { csrfOf, WebClient } from './web-client.js';

export interface TestPortal {
  base: string;
  db: TestDatabase;
  ring: KeyRing;
  tenant: Tenant;
  tenantUrl: string;
  client: { clientId: string; clientSecret: string };
  app: FastifyInstance;
  queue: Queue;
  /** The portal's parts (one container for its web app and worker, as in `serve --role all`). */
  container: Container;
  /** Adds a directory account (password "pw") and returns its username. */
  addPerson(
    attrs?: { givenNames?: string; familyName?: string; employeeId?: string; email?: string },
    tenantId?: string,
  ): Promise<string>;
  addTenant(over: Partial<NewTenant>): Promise<Tenant>;
  close(): Promise<void>;
}

let people = 0;

export async function startPortal(
  sandboxBase: string,
  options: {
    worker?: boolean;
    tenant?: Partial<NewTenant>;
    log?: { level: string; destination: DestinationStream };
    /** Overrides of the ORCID transport's (fast) retry and timeout settings. */
    transport?: TransportOptions;
    /** Invitations go out through this SMTP server (else they are only kept in the outbox). */
    smtpUrl?: string;
    configuredAdmins?: string[];
    /** Ranges events may be sent to although not public (LANYARD_OUTBOUND_ALLOW). */
    outboundAllow?: string[];
    /** Tests sign many people in from one address: the limits are high unless a test sets them. */
    limits?: Partial<AbuseLimits>;
    /** GET /metrics on the web address with this bearer token (LANYARD_METRICS_TOKEN). */
    metricsToken?: string;
    /** How operators sign in to /operator/ (default: the demo's password sign-in). */
    operatorSignIn?: OperatorSignInOptions;
    /** Operators by configuration (LANYARD_OPERATORS). */
    configuredOperators?: string[];
    /** The web app's port (default a free one): for an IdP that must know the redirect URIs first. */
    port?: number;
  } = {},
): Promise<TestPortal> {
  const db = await freshDatabase();
  const ring = new KeyRing([{ id: 'test', key: randomBytes(32) }]);
  const logger = options.log
    ? createLogger(options.log.level, options.log.destination)
    : createLogger('silent');
  const queue = await Queue.start(db.url, { schedule: options.worker === true });
  const fast: TransportOptions = { baseDelayMs: 5, maxDelayMs: 50, attempts: 2, ...options.transport };
  const port = options.port ?? (await freePort());
  await registerJobs(queue);
  const container = new Container({
    database: db,
    databaseUrl: db.url,
    ring,
    logger,
    localOrcidUrl: sandboxBase,
    publicUrl: `http://127.0.0.1:${port}`,
    queues: queuePorts(queue),
    jobQueue: queue,
    metricsFiguresTtlMs: 0,
    mailer: smtpMailer(options.smtpUrl, 'Test University <orcid@test.example.edu>'),
    orcidTransport: fast,
    configuredAdmins: options.configuredAdmins ?? [],
    outboundAllow: options.outboundAllow ?? [],
    configuredOperators: options.configuredOperators ?? [],
    ...(options.smtpUrl ? { mailCheck: () => checkSmtp(options.smtpUrl!) } : {}),
  });
  await container.listenForNotices();
  const app = buildApp(container, {
    showOutbox: true,
    limits: { signInPerAccount: 1000, signInPerAddress: 10_000, apiPerKey: 100_000, ...options.limits },
    ...(options.metricsToken ? { metricsToken: options.metricsToken } : {}),
    operatorSignIn: options.operatorSignIn ?? { passwords: true },
  });
  const base = await app.listen({ port, host: '127.0.0.1' });
  const worker = options.worker ? await startWorker(queue, container, { pollingSeconds: 0.5 }) : null;

  const tenants = container.repos.tenants;
  const directory = container.directory;
  const addTenant = async (over: Partial<NewTenant>) => {
    const slug = over.slug ?? `uni-${randomBytes(3).toString('hex')}`;
    const client = await newClient(sandboxBase, { redirectUris: [base] });
    return {
      client,
      tenant: await tenants.create({
        slug,
        name: 'Test University',
        orcidEnvironment: 'local',
        apiType: 'member',
        clientId: client.clientId,
        clientSecret: client.clientSecret,
        scopes: '/read-limited /activities/update /person/update',
        redirectUri: `${base}/o/${slug}/orcid/callback`,
        supportContact: 'orcid@test.example.edu',
        signIn: { demoDirectory: true },
        org: {
          name: 'Test University',
          city: 'Wellington',
          country: 'NZ',
          disambiguatedId: 'https://ror.org/0040r6f76',
          disambiguationSource: 'ROR',
        },
        ...over,
      }),
    };
  };
  const first = await addTenant(options.tenant ?? {});
  return {
    base,
    db,
    ring,
    tenant: first.tenant,
    tenantUrl: `${base}/o/${first.tenant.slug}`,
    client: first.client,
    app,
    queue,
    container,
    async addPerson(attrs = {}, tenantId = first.tenant.id) {
      people++;
      const username = `person${people}`;
      await directory.add(tenantId, username, 'pw', {
        employeeId: attrs.employeeId ?? `E${people}-${randomBytes(2).toString('hex')}`,
        email: attrs.email ?? `${username}@test.example.edu`,
        givenNames: attrs.givenNames ?? 'Test',
        familyName: attrs.familyName ?? `Person${people}`,
      });
      return username;
    },
    addTenant: async (over) => (await addTenant(over)).tenant,
    async close() {
      await app.close();
      await worker?.stop(2000);
      await queue.stop(2000);
      await container.close();
      await db.drop();
    },
  };
}

export { newResearcher };

/** Signs a directory person in to the portal in a fresh browser; returns it on the portal page. */
export async function signInToPortal(
  portal: Pick<TestPortal, 'tenantUrl'>,
  username: string,
): Promise<{ web: WebClient; page: string }> {
  const web = new WebClient();
  const signIn = await web.get(`${portal.tenantUrl}/`);
  const res = await web.post(`${portal.tenantUrl}/signin/directory`, {
    _csrf: csrfOf(signIn.text),
    username,
    password: 'pw',
  });
  if (res.status !== 303) throw new Error(`sign-in failed: ${res.status}`);
  return { web, page: (await web.get(`${portal.tenantUrl}/`)).text };
}

/** Presses Connect and approves at the simulator (control API) as `orcid`; returns the callback answer. */
export async function connectInPortal(
  portal: Pick<TestPortal, 'tenantUrl'>,
  sandboxBase: string,
  web: WebClient,
  orcid: string,
) {
  const page = await web.get(`${portal.tenantUrl}/`);
  const start = await web.post(`${portal.tenantUrl}/connect`, { _csrf: csrfOf(page.text) });
  return web.get(await orcidAnswers(sandboxBase, new URL(start.location!), orcid));
}

/** Grants `email` the operator role with a password and signs it in to /operator/ (the demo's sign-in). */
export async function signInAsOperator(
  portal: Pick<TestPortal, 'base' | 'container'>,
  email: string,
): Promise<WebClient> {
  await portal.container.operator.access.grant(email, 'test', 'operator-pw');
  const web = new WebClient();
  const page = await web.get(`${portal.base}/operator/sign-in`);
  const res = await web.post(`${portal.base}/operator/sign-in/password`, {
    _csrf: csrfOf(page.text),
    username: email,
    password: 'operator-pw',
  });
  if (res.status !== 303) throw new Error(`operator sign-in failed: ${res.status}`);
  return web;
}
