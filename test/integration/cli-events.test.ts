// `lanyard events add|list|remove|deliveries`: the organisation's event endpoints from the command
// line. The signing secret is printed once and stored sealed; endpoints the SSRF guard refuses
// (loopback without LANYARD_OUTBOUND_ALLOW, http on ORCID production, unknown types) exit 2 with
// the reason, nothing stored.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyRing } from '../../src/crypto/key-ring.js';
import { lanyard } from '../helpers/cli.js';
import { freshDatabase, type TestDatabase } from '../helpers/database.js';

let tdb: TestDatabase;
let env: Record<string, string>;
beforeAll(async () => {
  tdb = await freshDatabase();
  const ring = KeyRing.parse(`k1:${randomBytes(32).toString('base64')}`);
  env = { DATABASE_URL: tdb.url, LANYARD_KEYS: ring.format() };
  const add = await lanyard(
    [
      'tenant',
      'add',
      'eventful',
      '--name',
      'Eventful University',
      '--environment',
      'production',
      '--client-id',
      'APP-EVENTFUL00000001',
      '--redirect-uri',
      'https://portal.eventful.example/orcid/callback',
      '--support-contact',
      'orcid@eventful.example',
      '--client-secret-stdin',
    ],
    env,
    'secret-1\n',
  );
  expect(add.code, add.out).toBe(0);
}, 60_000);
afterAll(() => tdb.drop());

const endpoints = () => tdb.db.selectFrom('event_endpoints').selectAll().execute();

describe('sync settings in the portal file', () => {
  it('are stored when valid, and a file with a mistyped or out-of-range setting is refused, every problem named', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lanyard-portal-'));
    const file = (name: string, json: unknown) => {
      writeFileSync(join(dir, name), JSON.stringify(json));
      return join(dir, name);
    };
    const bad = await lanyard(
      [
        'tenant',
        'update',
        'eventful',
        '--portal-file',
        file('bad.json', { sync: { webhook: true, reconcileShare: 2 } }),
      ],
      env,
    );
    expect(bad.code).toBe(2);
    expect(bad.out).toContain('sync.reconcileShare');
    expect(bad.out).toMatch(/sync: .*webhook/);
    const good = await lanyard(
      [
        'tenant',
        'update',
        'eventful',
        '--portal-file',
        file('good.json', { sync: { webhooks: true, reconcileEveryDays: 3 } }),
      ],
      env,
    );
    expect(good.code, good.out).toBe(0);
    const t = await tdb.db
      .selectFrom('tenants')
      .select('sync_settings')
      .where('slug', '=', 'eventful')
      .executeTakeFirstOrThrow();
    expect(t.sync_settings).toEqual({ webhooks: true, reconcileEveryDays: 3 });
  }, 60_000);
});

describe('lanyard events', () => {
  it('refuses loopback, private and plain-http endpoints and unknown types, saying why, storing nothing', async () => {
    const loop = await lanyard(['events', 'add', 'eventful', 'https://127.0.0.1:9/hooks'], env);
    expect(loop.code).toBe(2);
    expect(loop.out).toMatch(/refused: 127\.0\.0\.1 resolves to 127\.0\.0\.1, a loopback address/);
    const inside = await lanyard(['events', 'add', 'eventful', 'https://10.1.2.3/hooks'], env);
    expect(inside.code).toBe(2);
    expect(inside.out).toContain('a private address');
    const http = await lanyard(['events', 'add', 'eventful', 'http://93.184.216.34/hooks'], env);
    expect(http.code).toBe(2);
    expect(http.out).toContain('must be https');
    const types = await lanyard(
      ['events', 'add', 'eventful', 'https://93.184.216.34/hooks', '--types', 'nope'],
      env,
    );
    expect(types.code).toBe(2);
    expect(types.out).toContain('unknown event types: nope');
    expect(await lanyard(['events', 'list', 'nowhere'], env)).toMatchObject({ code: 2 });
    expect(await endpoints()).toEqual([]);
  }, 60_000);

  it('adds an endpoint (the secret printed once, stored sealed), lists it without the secret, and removes it', async () => {
    const allow = { ...env, LANYARD_OUTBOUND_ALLOW: '127.0.0.0/8' };
    const add = await lanyard(
      [
        'events',
        'add',
        'eventful',
        'https://127.0.0.1:9/hooks',
        '--types',
        'person.connected,record.changed',
      ],
      allow,
    );
    expect(add.code, add.out).toBe(0);
    const secret = /whsec_[A-Za-z0-9+/=]+/.exec(add.out)![0];
    const [row] = await endpoints();
    expect(row).toMatchObject({
      url: 'https://127.0.0.1:9/hooks',
      event_types: ['person.connected', 'record.changed'],
    });
    expect(row!.secret_sealed).not.toContain(secret.slice(6));
    const list = await lanyard(['events', 'list', 'eventful'], allow);
    expect(list.out).toContain(row!.id);
    expect(list.out).not.toContain(secret);
    expect((await lanyard(['events', 'deliveries', 'eventful'], allow)).code).toBe(0);
    const remove = await lanyard(['events', 'remove', 'eventful', row!.id], allow);
    expect(remove.code).toBe(0);
    expect(await endpoints()).toEqual([]);
    expect((await lanyard(['events', 'remove', 'eventful', row!.id], allow)).code).toBe(2);
  }, 60_000);
});
