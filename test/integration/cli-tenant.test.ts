// `lanyard tenant add|update|show`: organisations from the command line, the client secret only
// from stdin or a file and stored sealed.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyRing } from '../../src/crypto/key-ring.js';
import { TenantRepository } from '../../src/db/tenant.repository.js';
import { lanyard } from '../helpers/cli.js';
import { freshDatabase, type TestDatabase } from '../helpers/database.js';

let tdb: TestDatabase;
let env: Record<string, string>;
let ring: KeyRing;
beforeAll(async () => {
  tdb = await freshDatabase();
  ring = KeyRing.parse(`k1:${randomBytes(32).toString('base64')}`);
  env = { DATABASE_URL: tdb.url, LANYARD_KEYS: ring.format() };
});
afterAll(() => tdb.drop());

const base = [
  '--name',
  'University of Wakanda',
  '--environment',
  'sandbox',
  '--client-id',
  'APP-WAKANDA000000001',
  '--redirect-uri',
  'https://portal.wakanda.example/orcid/callback',
  '--support-contact',
  'orcid@wakanda.example',
];

describe('lanyard tenant', () => {
  it('adds an organisation with the secret from stdin, sealed; show never prints it', async () => {
    const add = await lanyard(
      ['tenant', 'add', 'wakanda', ...base, '--client-secret-stdin'],
      env,
      'stdin-secret-9f2\n',
    );
    expect(add.code, add.out).toBe(0);
    expect(add.out).toMatch(/added wakanda/);
    const repo = new TenantRepository(tdb.db, ring);
    const t = (await repo.bySlug('wakanda'))!;
    expect(t.scopes).toBe('/read-limited /activities/update /person/update');
    expect(await repo.clientSecret(t.id)).toBe('stdin-secret-9f2');
    const show = await lanyard(['tenant', 'show', 'wakanda'], env);
    expect(show.code).toBe(0);
    expect(JSON.parse(show.out).client_secret).toBe('sealed with key k1');
    expect(show.out).not.toContain('stdin-secret-9f2');
  });

  it('updates fields and the secret from a file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lanyard-secret-'));
    writeFileSync(join(dir, 'secret'), 'file-secret-77a\n', { mode: 0o600 });
    const up = await lanyard(
      [
        'tenant',
        'update',
        'wakanda',
        '--name',
        'Wakanda University',
        '--rate-limit',
        '12',
        '--client-secret-file',
        join(dir, 'secret'),
      ],
      env,
    );
    expect(up.code, up.out).toBe(0);
    expect(up.out).toContain('updated wakanda: name, client secret, rateLimitPerSecond');
    const repo = new TenantRepository(tdb.db, ring);
    const t = (await repo.bySlug('wakanda'))!;
    expect(t.name).toBe('Wakanda University');
    expect(t.rate_limit_per_s).toBe(12);
    expect(await repo.clientSecret(t.id)).toBe('file-secret-77a');
  });

  it('audits the creation and every change as the CLI: which settings, never a secret', async () => {
    const t = (await new TenantRepository(tdb.db, ring).bySlug('wakanda'))!;
    const key = await lanyard(['tenant', 'api-key', 'wakanda', '--name', 'HR feed'], env);
    expect(key.code, key.out).toBe(0);
    const rows = await tdb.db
      .selectFrom('audit_log')
      .select(['actor', 'action', 'subject', 'details'])
      .where('tenant_id', '=', t.id)
      .orderBy('created_at')
      .execute();
    expect(rows.map((r) => [r.actor, r.action, r.subject])).toEqual([
      ['cli', 'tenant.created', null],
      ['cli', 'tenant.settings_changed', null],
      ['cli', 'api_key.created', 'HR feed'],
    ]);
    expect(rows[0]!.details).toMatchObject({
      slug: 'wakanda',
      settings: expect.arrayContaining(['client secret']),
    });
    expect(rows[1]!.details).toEqual({ settings: ['name', 'client secret', 'rateLimitPerSecond'] });
    const text = JSON.stringify(rows);
    for (const secret of ['stdin-secret-9f2', 'file-secret-77a', key.out.trim()])
      expect(text).not.toContain(secret);
  });

  it('refuses bad input with every problem listed, and a client id without its secret', async () => {
    const bad = await lanyard(
      [
        'tenant',
        'add',
        'Bad Slug',
        ...base,
        '--environment',
        'production',
        '--redirect-uri',
        'http://insecure.example/cb',
        '--client-secret-stdin',
      ],
      env,
      'x',
    );
    expect(bad.code).toBe(2);
    expect(bad.out).toMatch(/slug: lowercase/);
    expect(bad.out).toMatch(/redirectUri: must be https in the production environment/);
    const noSecret = await lanyard(['tenant', 'add', 'other', ...base], env);
    expect(noSecret.code).toBe(2);
    expect(noSecret.out).toContain('clientSecret: is required with the client id');
    // Neither: the organisation waits for its administrator to enter them (as the operator's do).
    const pending = await lanyard(
      [
        'tenant',
        'add',
        'pending',
        ...base.filter((a) => a !== '--client-id' && a !== 'APP-WAKANDA000000001'),
      ],
      env,
    );
    expect(pending.code).toBe(0);
    expect(pending.out).toContain('added pending');
    const twice = await lanyard(['tenant', 'add', 'wakanda', ...base, '--client-secret-stdin'], env, 'x');
    expect(twice.code).toBe(2);
    expect(twice.out).toContain('exists already');
    const missing = await lanyard(['tenant', 'show', 'nobody'], env);
    expect(missing.code).toBe(2);
    expect(missing.out).toContain('no organisation with slug nobody');
  });

  it('sets the portal texts, institutional sign-in and affiliation identity from a file; refuses a bad one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lanyard-portal-'));
    const good = join(dir, 'portal.json');
    writeFileSync(
      good,
      JSON.stringify({
        texts: {
          en: { why: 'We report ORCID iDs to our funder.' },
          es: { why: 'Informamos los ORCID iD a nuestro financiador.' },
        },
        signIn: {
          oidc: { issuer: 'https://idp.wakanda.example', clientId: 'lanyard', label: 'Wakanda ID' },
          orcidSignIn: true,
        },
        org: {
          name: 'University of Wakanda',
          city: 'Birnin Zana',
          country: 'NZ',
          disambiguatedId: 'https://ror.org/000000000',
          disambiguationSource: 'ROR',
        },
      }),
    );
    writeFileSync(join(dir, 'oidc-secret'), 'oidc-secret-41b\n', { mode: 0o600 });
    const up = await lanyard(
      [
        'tenant',
        'update',
        'wakanda',
        '--portal-file',
        good,
        '--oidc-client-secret-file',
        join(dir, 'oidc-secret'),
      ],
      env,
    );
    expect(up.code, up.out).toBe(0);
    expect(up.out).toContain('OIDC client secret');
    const repo = new TenantRepository(tdb.db, ring);
    const t = (await repo.bySlug('wakanda'))!;
    expect(t.portal_texts.es?.why).toContain('financiador');
    expect(t.sign_in.oidc?.scope).toBe('openid email profile');
    expect(t.org_disambiguation_source).toBe('ROR');
    expect(await repo.oidcClientSecret(t.id)).toBe('oidc-secret-41b');
    const show = await lanyard(['tenant', 'show', 'wakanda'], env);
    expect(show.out).not.toContain('oidc-secret-41b');

    const bad = join(dir, 'bad.json');
    writeFileSync(
      bad,
      JSON.stringify({
        signIn: { oidc: { issuer: 'not a url' }, demoDirectory: 'yes' },
        org: { country: 'Wakanda' },
      }),
    );
    const refused = await lanyard(['tenant', 'update', 'wakanda', '--portal-file', bad], env);
    expect(refused.code).toBe(2);
    expect(refused.out).toContain('signIn.oidc.issuer');
    expect(refused.out).toContain('signIn.oidc.clientId');
    expect(refused.out).toContain('signIn.demoDirectory');
    expect(refused.out).toContain('org.country');
    // The demo directory is refused outside the local environment.
    writeFileSync(bad, JSON.stringify({ signIn: { demoDirectory: true } }));
    const demo = await lanyard(['tenant', 'update', 'wakanda', '--portal-file', bad], env);
    expect(demo.code).toBe(2);
    expect(demo.out).toContain('only for the local ORCID environment');
  });
});
