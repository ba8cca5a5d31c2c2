// Events to the organisation's systems, with a real receiver on loopback verifying each
// signature with the standardwebhooks library: a connection, an item's status and a change of
// the record arrive signed; an answer of 500 is retried; endpoints that are not https in
// production, or that resolve to loopback or private addresses without the operator's allow
// setting, are refused with a clear message.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Container } from '../../src/app/container.js';
import { createLogger } from '../../src/logger.js';
import { EndpointRefused } from '../../src/services/events.service.js';
import {
  connectInPortal,
  newResearcher,
  signInToPortal,
  startPortal,
  type TestPortal,
} from '../helpers/portal.js';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';

interface Received {
  path: string;
  headers: Record<string, string>;
  body: string;
  answered: number;
}

let sb: TestSandbox;
let p: TestPortal;
let receiver: Server;
let receiverBase: string;
const received: Received[] = [];
/** Statuses the receiver answers per path, in order; 204 once exhausted. */
const planned = new Map<string, number[]>();

beforeAll(async () => {
  sb = await startTestSandbox();
  p = await startPortal(sb.base, { worker: true, outboundAllow: ['127.0.0.0/8'] });
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      const answered = planned.get(req.url ?? '')?.shift() ?? 204;
      received.push({ path: req.url ?? '', headers: req.headers as Record<string, string>, body, answered });
      res.statusCode = answered;
      res.end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  receiverBase = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await p?.close();
  await sb?.close();
  await new Promise((r) => receiver?.close(r));
});

const until = async <T>(
  what: string,
  check: () => Promise<T | undefined | null | false> | T,
  ms = 15_000,
) => {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

/** The events an endpoint received with a valid signature, as parsed bodies. */
const verified = (path: string, secret: string) =>
  received
    .filter((r) => r.path === path && r.answered < 300)
    .map(
      (r) => new Webhook(secret).verify(r.body, r.headers) as { type: string; data: Record<string, unknown> },
    );

describe('events to the organisation’s systems', () => {
  it('a connection, an item written and the record read arrive signed, each verified by the receiver', async () => {
    const path = '/events/all';
    const { secret } = await p.container.events.addEndpoint(p.tenant, {
      url: `${receiverBase}${path}`,
      eventTypes: [],
    });
    const username = await p.addPerson();
    const researcher = await newResearcher(sb.base);
    const { web } = await signInToPortal(p, username);
    expect((await connectInPortal(p, sb.base, web, researcher.orcid)).status).toBe(303);
    const link = (await p.container.repos.links.activeByOrcid(p.tenant.id, researcher.orcid))!;
    const person = (await p.container.repos.people.byId(p.tenant.id, link.person_id))!;
    await p.container.intake.stateItem(p.tenant.id, person.local_id, {
      section: 'keywords',
      sourceKey: `kw-${person.local_id}`,
      payload: { content: 'glaciers' },
    });

    const events = verified(path, secret);
    await until('connected, status and record events', () => {
      const types = new Set(verified(path, secret).map((e) => e.type));
      return ['person.connected', 'item.status_changed', 'record.changed'].every((t) => types.has(t));
    });
    events.splice(0, events.length, ...verified(path, secret));
    const connected = events.find((e) => e.type === 'person.connected')!;
    expect(connected.data).toMatchObject({ localId: person.local_id, orcid: researcher.orcid });
    const status = events.find((e) => e.type === 'item.status_changed' && e.data.status === 'in_orcid')!;
    expect(status.data).toMatchObject({
      sourceKey: `kw-${person.local_id}`,
      section: 'keywords',
      previousStatus: 'queued',
    });
    expect(status.data.putCode).toEqual(expect.any(Number));
    const changed = events.find((e) => e.type === 'record.changed')!;
    expect(changed.data).toMatchObject({ localId: person.local_id, orcid: researcher.orcid });

    // A tampered body fails the same check.
    const one = received.find((r) => r.path === path)!;
    expect(() => new Webhook(secret).verify(`${one.body} `, one.headers)).toThrow();
    // Every attempt is logged; nothing is left pending.
    const deliveries = await p.container.repos.events.deliveries(p.tenant.id, 100);
    expect(deliveries.length).toBeGreaterThanOrEqual(3);
  });

  it('an endpoint answering 500 gets the event again, later, with the same id', async () => {
    const path = '/events/flaky';
    planned.set(path, [500]);
    const { secret, id: endpointId } = await p.container.events.addEndpoint(p.tenant, {
      url: `${receiverBase}${path}`,
      eventTypes: ['upload.finished'],
    });
    await p.container.events.publish(p.tenant.id, 'upload.finished', { uploadId: 'u-1', state: 'accepted' });
    await until('delivered after a retry', () => received.filter((r) => r.path === path).length >= 2, 45_000);
    const tries = received.filter((r) => r.path === path);
    expect(tries.map((t) => t.answered)).toEqual([500, 204]);
    expect(tries[0]!.headers['webhook-id']).toBe(tries[1]!.headers['webhook-id']);
    expect(verified(path, secret)[0]).toMatchObject({ type: 'upload.finished', data: { uploadId: 'u-1' } });
    const eventId = tries[0]!.headers['webhook-id'];
    // The receiver answered before the attempt was recorded: wait for the record.
    const delivery = await until('the delivery is recorded', async () => {
      const [d] = (await p.container.repos.events.deliveries(p.tenant.id, 100)).filter(
        (x) => x.event_id === eventId && x.endpoint_id === endpointId,
      );
      return d?.status === 'delivered' && d;
    });
    expect(delivery).toMatchObject({ attempts: 2, last_status: 204 });
    const attempts = await p.db.db
      .selectFrom('event_attempts')
      .select(['http_status'])
      .where('tenant_id', '=', p.tenant.id)
      .where('delivery_id', '=', delivery.id)
      .orderBy('id')
      .execute();
    expect(attempts.map((a) => a.http_status)).toEqual([500, 204]);
  }, 60_000);

  it('refuses loopback and private targets without the allow setting, http in production, and unknown types', async () => {
    // The same database and code, as a process started without LANYARD_OUTBOUND_ALLOW.
    const strict = new Container({
      database: p.db,
      ring: p.ring,
      logger: createLogger('silent'),
      localOrcidUrl: sb.base,
    });
    try {
      await expect(
        strict.events.addEndpoint(p.tenant, { url: `${receiverBase}/x`, eventTypes: [] }),
      ).rejects.toThrow(/127\.0\.0\.1, a loopback address/);
      await expect(
        strict.events.addEndpoint(p.tenant, { url: 'http://10.1.2.3/x', eventTypes: [] }),
      ).rejects.toThrow(EndpointRefused);
      const production = { ...p.tenant, orcid_environment: 'production' as const };
      await expect(
        strict.events.addEndpoint(production, { url: 'http://cris.example.edu/x', eventTypes: [] }),
      ).rejects.toThrow('must be https');
      await expect(
        p.container.events.addEndpoint(p.tenant, {
          url: `${receiverBase}/x`,
          eventTypes: ['person.teleported'],
        }),
      ).rejects.toThrow('unknown event types: person.teleported');
      // A target that passed when added is checked again at each delivery: nothing reaches it.
      const before = received.length;
      const { id } = await p.container.events.addEndpoint(p.tenant, {
        url: `${receiverBase}/events/strict`,
        eventTypes: ['link.expiring'],
      });
      const [deliveryId] = await p.container.repos.events.addDeliveries(p.tenant.id, [id], {
        id: 'msg_strict',
        type: 'link.expiring',
        payload: { type: 'link.expiring', data: {} },
      });
      expect(await strict.events.deliver(p.tenant.id, deliveryId!, true)).toBe('failed');
      expect(received.length).toBe(before);
      const [attempt] = await p.db.db
        .selectFrom('event_attempts')
        .select('error')
        .where('delivery_id', '=', deliveryId!)
        .execute();
      expect(attempt!.error).toContain('loopback');
    } finally {
      await strict.close();
    }
  });
});
