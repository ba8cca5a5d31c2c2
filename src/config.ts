// The only reader of process.env. Every setting is parsed once; a bad one stops the start with
// a list of every problem.
import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65535);

const schema = z
  .object({
    /** External PostgreSQL; without it an embedded server runs with data under LANYARD_DATA_DIR. */
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
      .optional(),
    LANYARD_DATA_DIR: z.string().min(1).default('./data'),
    LANYARD_EMBEDDED_PG_PORT: port.default(54320),
    /** Keys that seal secrets: "id:base64key,..." newest first. Required with DATABASE_URL. */
    LANYARD_KEYS: z.string().min(1).optional(),
    /** The web role's address. */
    LANYARD_PORT: port.default(3000),
    LANYARD_HOST: z.string().min(1).default('127.0.0.1'),
    /** The address people use to reach the web role (https in production: cookies become Secure). */
    LANYARD_PUBLIC_URL: z.url().optional(),
    /** Where the `local` ORCID environment (the bundled simulator) is; default its own port. */
    LANYARD_LOCAL_ORCID_URL: z.url().optional(),
    /** ORCID calls older than this are deleted by a daily job. */
    LANYARD_CALL_LOG_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
    /** SMTP server for invitations (smtp://user:pass@host:587); without it mail is only kept in the outbox. */
    LANYARD_SMTP_URL: z.url().optional(),
    LANYARD_MAIL_FROM: z.string().min(3).default('Lanyard <no-reply@localhost>'),
    /** Administrators by configuration: "slug:local-id" pairs, comma-separated (also `lanyard admin grant`). */
    LANYARD_ADMINS: z
      .string()
      .optional()
      .transform((v) =>
        (v ?? '')
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      )
      .pipe(z.array(z.string().regex(/^[a-z0-9-]+:.+$/, 'expected slug:local-id'))),
    /** Operators of the installation by e-mail address, comma-separated (also `lanyard operator grant`). */
    LANYARD_OPERATORS: z
      .string()
      .optional()
      .transform((v) =>
        (v ?? '')
          .split(',')
          .map((s) => s.trim().toLowerCase())
          .filter(Boolean),
      )
      .pipe(z.array(z.email('expected e-mail addresses'))),
    /** The operator console's sign-in: an OpenID provider (issuer URL, client id and secret). */
    LANYARD_OPERATOR_OIDC_ISSUER: z.url().optional(),
    LANYARD_OPERATOR_OIDC_CLIENT_ID: z.string().min(1).optional(),
    LANYARD_OPERATOR_OIDC_CLIENT_SECRET: z.string().min(1).optional(),
    /** How long a write attempt holds its item; after a worker crash its items are retried after this. */
    LANYARD_WRITE_LEASE_SECONDS: z.coerce.number().int().min(2).max(3600).default(300),
    /**
     * Address ranges (CIDRs, comma-separated) that events may be sent to although they are not
     * public (loopback, private, …): none by default (the SSRF guard refuses them).
     */
    LANYARD_OUTBOUND_ALLOW: z
      .string()
      .default('')
      .transform((v) =>
        v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      )
      .pipe(z.array(z.cidrv4().or(z.cidrv6()))),
    /** Seconds between two reconciliation runs (each reads its share of the stalest records). */
    LANYARD_RECONCILE_INTERVAL_SECONDS: z.coerce.number().int().min(5).max(3600).default(60),
    /**
     * Where this process serves Prometheus metrics (GET /metrics), on a port of its own so that
     * they are never on the public address; unset: not served. Each process needs its own port.
     */
    LANYARD_METRICS_PORT: z.coerce.number().int().min(1).max(65535).optional(),
    /** The address the metrics port listens on (default loopback only). */
    LANYARD_METRICS_HOST: z.string().default('127.0.0.1'),
    /**
     * Also serves the web role's metrics at GET /metrics on its own address, to requests that send
     * this token (Authorization: Bearer …); unset: not there. At least 24 characters.
     */
    LANYARD_METRICS_TOKEN: z.string().min(24).optional(),
    /** Items a worker process writes at once (ORCID's latency, not CPU, bounds one at a time). */
    LANYARD_WRITE_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(64),
    /**
     * Whether a reverse proxy in front sets X-Forwarded-For (the client address for the limits
     * below and the logs): "true" (any), or the proxies' addresses/CIDRs comma-separated. Off by
     * default, so that nobody can forge their address.
     */
    LANYARD_TRUST_PROXY: z
      .string()
      .optional()
      .transform((v) => (v === undefined || v === 'false' ? false : v === 'true' ? true : v)),
    /** Sign-in attempts per account per minute (then 429). */
    LANYARD_SIGNIN_LIMIT_PER_ACCOUNT: z.coerce.number().int().min(1).default(10),
    /** Sign-in attempts per client address per minute. */
    LANYARD_SIGNIN_LIMIT_PER_ADDRESS: z.coerce.number().int().min(1).default(30),
    /** REST API calls per key per minute. */
    LANYARD_API_LIMIT_PER_KEY: z.coerce.number().int().min(1).default(1200),
    LANYARD_SANDBOX_PORT: port.default(8400),
    LANYARD_SANDBOX_HOST: z.string().min(1).default('127.0.0.1'),
    LANYARD_SANDBOX_PUBLIC_URL: z.url().optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .superRefine((c, ctx) => {
    if (c.LANYARD_OPERATOR_OIDC_ISSUER && !c.LANYARD_OPERATOR_OIDC_CLIENT_ID)
      ctx.addIssue({
        code: 'custom',
        path: ['LANYARD_OPERATOR_OIDC_CLIENT_ID'],
        message: 'is required with LANYARD_OPERATOR_OIDC_ISSUER',
      });
    // A key file next to an external database would leave the secrets' keys on one web host.
    if (c.DATABASE_URL && !c.LANYARD_KEYS)
      ctx.addIssue({
        code: 'custom',
        path: ['LANYARD_KEYS'],
        message: 'is required when DATABASE_URL is set',
      });
  });

export type Config = Readonly<z.infer<typeof schema>>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable counts as unset (VAR= in a .env file or a shell).
  const parsed = schema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  return Object.freeze(parsed.data);
}
