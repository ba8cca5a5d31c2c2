// SPEC 9: webhook registration and delivery, with a real HTTP receiver on loopback.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  clientCredentials,
  control,
  newClient,
  newResearcher,
  startTestSandbox,
  type TestSandbox,
  threeLegged,
} from '../helpers/sandbox.js';

interface Received {
  path: string;
  method: string;
  body: string;
  auth: string | undefined;
}

let sb: TestSandbox;
let receiver: Server;
let receiverBase: string;
const received: Received[] = [];
/** Status the receiver answers per path, in order; 200 once exhausted. */
const plannedStatuses = new Map<string, number[]>();

beforeAll(async () => {
  sb = await startTestSandbox();
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      received.push({ path: req.url ?? '', method: req.method ?? '', body, auth: req.headers.authorization });
      const plan = plannedStatuses.get(req.url ?? '') ?? [];
      res.statusCode = plan.shift() ?? 200;
      res.end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  receiverBase = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await sb.close();
  await new Promise((r) => receiver.close(r));
});

const until = async (check: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
};

const webhookUrl = (orcid: string, callback: string) =>
  `${sb.api}/${orcid}/webhook/${encodeURIComponent(callback)}`;

describe('SPEC 9: webhooks', () => {
  it('registers (201, then 204 again), delivers an empty POST on a record change, and unregisters', async () => {
    const client = await newClient(sb.base);
    const { access_token: hook } = await clientCredentials(sb.base, client, '/webhook');
    const r = await newResearcher(sb.base);
    const callback = `${receiverBase}/hooks/one?orcid=${r.orcid}`;
    const reg = await call(webhookUrl(r.orcid, callback), { method: 'PUT', token: hook });
    expect(reg.status).toBe(201);
    expect(reg.headers.get('location')).toBe(webhookUrl(r.orcid, callback));
    expect((await call(webhookUrl(r.orcid, callback), { method: 'PUT', token: hook })).status).toBe(204);

    const t = await threeLegged(sb.base, client, r.orcid);
    await call(`${sb.api}/v3.0/${r.orcid}/keywords`, {
      method: 'POST',
      token: t.access_token,
      body: { content: 'glaciers' },
    });
    await until(() => received.some((x) => x.path === `/hooks/one?orcid=${r.orcid}`));
    const got = received.find((x) => x.path === `/hooks/one?orcid=${r.orcid}`)!;
    expect(got.method).toBe('POST');
    expect(got.body).toBe('');
    expect(got.auth).toBeUndefined();

    expect((await call(webhookUrl(r.orcid, callback), { method: 'DELETE', token: hook })).status).toBe(204);
    const gone = await call(webhookUrl(r.orcid, callback), { method: 'DELETE', token: hook });
    expect(gone.status).toBe(404);
    expect(gone.json['error-code']).toBe(9028);
  });

  it('retries non-2xx answers and records every attempt with its outcome', async () => {
    const client = await newClient(sb.base);
    const { access_token: hook } = await clientCredentials(sb.base, client, '/webhook');
    const r = await newResearcher(sb.base);
    const path = `/hooks/retry/${r.orcid}`;
    plannedStatuses.set(path, [500, 503]);
    await call(webhookUrl(r.orcid, `${receiverBase}${path}`), { method: 'PUT', token: hook });
    await control(sb.base, 'POST', `/researchers/${r.orcid}/items`, {
      section: 'keywords',
      item: { content: 'rivers' },
    });
    await until(() => received.filter((x) => x.path === path).length >= 3);
    const state = await control<{
      webhookDeliveries: Array<{ uri: string; attempt: number; status: number; ok: boolean }>;
    }>(sb.base, 'GET', '/state');
    const mine = state.webhookDeliveries.filter((d) => d.uri.endsWith(path));
    expect(mine.map((d) => [d.attempt, d.status, d.ok])).toEqual([
      [1, 500, false],
      [2, 503, false],
      [3, 200, true],
    ]);
  });

  it('changes by the researcher (control API edits) fire webhooks too; changes between runs collapse', async () => {
    const client = await newClient(sb.base);
    const { access_token: hook } = await clientCredentials(sb.base, client, '/webhook');
    const r = await newResearcher(sb.base);
    const path = `/hooks/collapse/${r.orcid}`;
    await call(webhookUrl(r.orcid, `${receiverBase}${path}`), { method: 'PUT', token: hook });
    const { putCode } = await control<{ putCode: number }>(sb.base, 'POST', `/researchers/${r.orcid}/items`, {
      section: 'keywords',
      item: { content: 'a' },
    });
    await control(sb.base, 'DELETE', `/researchers/${r.orcid}/items/keywords/${putCode}`);
    await until(() => received.some((x) => x.path === path));
    await new Promise((res) => setTimeout(res, 300));
    expect(received.filter((x) => x.path === path).length).toBeLessThanOrEqual(2);
  });

  it('a dropDelivery fault rule loses deliveries on the way: ORCID counts them sent, the callback hears nothing', async () => {
    const client = await newClient(sb.base);
    const { access_token: hook } = await clientCredentials(sb.base, client, '/webhook');
    const r = await newResearcher(sb.base);
    const path = `/hooks/dropped/${r.orcid}`;
    await call(webhookUrl(r.orcid, `${receiverBase}${path}`), { method: 'PUT', token: hook });
    await control(sb.base, 'POST', '/faults', {
      dropDelivery: true,
      pathPattern: '/hooks/dropped/',
      rate: 1,
    });
    try {
      await control(sb.base, 'POST', `/researchers/${r.orcid}/items`, {
        section: 'keywords',
        item: { content: 'x' },
      });
      const state = async () =>
        (
          await control<{ webhookDeliveries: Array<{ uri: string; ok: boolean; dropped?: boolean }> }>(
            sb.base,
            'GET',
            '/state',
          )
        ).webhookDeliveries.filter((d) => d.uri.endsWith(path));
      const end = Date.now() + 5000;
      while (!(await state()).length && Date.now() < end) await new Promise((res) => setTimeout(res, 20));
      expect(await state()).toEqual([expect.objectContaining({ ok: true, dropped: true })]);
      // A rule for deliveries leaves API requests alone.
      expect((await call(`${sb.pub}/v3.0/${r.orcid}/record`)).status).toBe(200);
    } finally {
      await control(sb.base, 'DELETE', '/faults');
    }
    await new Promise((res) => setTimeout(res, 200));
    expect(received.filter((x) => x.path === path)).toEqual([]);
  });

  it("every change moves the record's and its section's last-modified dates, and no other section's", async () => {
    const r = await newResearcher(sb.base);
    const client = await newClient(sb.base);
    const t = await threeLegged(sb.base, client, r.orcid);
    const read = async () => (await call(`${sb.api}/v3.0/${r.orcid}/record`, { token: t.access_token })).json;
    await control(sb.base, 'POST', `/researchers/${r.orcid}/items`, {
      section: 'keywords',
      item: { content: 'a' },
    });
    const before = await read();
    await new Promise((res) => setTimeout(res, 5));
    await control(sb.base, 'POST', `/researchers/${r.orcid}/items`, {
      section: 'work',
      item: { title: { title: { value: 'A work' } }, type: 'book' },
    });
    const after = await read();
    const lm = (v: { 'last-modified-date'?: { value: number } | null } | null) =>
      v?.['last-modified-date']?.value ?? null;
    expect(lm(after.history)).toBeGreaterThan(lm(before.history)!);
    expect(lm(after['activities-summary'].works)).toBeGreaterThan(
      lm(before['activities-summary'].works) ?? 0,
    );
    expect(lm(after.person.keywords)).toBe(lm(before.person.keywords));
  });

  it('errors: bad callback 9012, unknown iD 9011, missing /webhook scope 9038, another client unregistering 9014', async () => {
    const client = await newClient(sb.base);
    const { access_token: hook } = await clientCredentials(sb.base, client, '/webhook');
    const r = await newResearcher(sb.base);
    const bad = await call(`${sb.api}/${r.orcid}/webhook/${encodeURIComponent('http://')}`, {
      method: 'PUT',
      token: hook,
    });
    expect([bad.status, bad.json['error-code']]).toEqual([400, 9012]);
    const unknown = await call(webhookUrl('0000-0002-1694-233X', `${receiverBase}/x`), {
      method: 'PUT',
      token: hook,
    });
    expect([unknown.status, unknown.json['error-code']]).toEqual([404, 9011]);
    const { access_token: pub } = await clientCredentials(sb.base, client, '/read-public');
    const scope = await call(webhookUrl(r.orcid, `${receiverBase}/x`), { method: 'PUT', token: pub });
    expect([scope.status, scope.json['error-code']]).toEqual([403, 9038]);
    await call(webhookUrl(r.orcid, `${receiverBase}/mine`), { method: 'PUT', token: hook });
    const other = await newClient(sb.base);
    const { access_token: otherHook } = await clientCredentials(sb.base, other, '/webhook');
    const steal = await call(webhookUrl(r.orcid, `${receiverBase}/mine`), {
      method: 'DELETE',
      token: otherHook,
    });
    expect([steal.status, steal.json['error-code']]).toEqual([403, 9014]);
  });
});
