// No token or secret reaches the call log (orcid_calls) or the process log, whatever the flow:
// code exchange, refresh, client credentials, revocation, API calls and their errors.
import { Writable } from 'node:stream';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrcidCallRepository } from '../../src/db/orcid-call.repository.js';
import { allRecorders, callLogger, createLogger } from '../../src/logger.js';
import { OrcidApi } from '../../src/orcid/api.js';
import { orcidEnvironment } from '../../src/orcid/environments.js';
import { OrcidError } from '../../src/orcid/errors.js';
import { OrcidOAuth } from '../../src/orcid/oauth.js';
import { OrcidTransport } from '../../src/orcid/transport.js';
import { freshDatabase, type TestDatabase } from '../helpers/database.js';
import {
  control,
  newClient,
  newResearcher,
  REDIRECT,
  startTestSandbox,
  type TestSandbox,
} from '../helpers/sandbox.js';

let sb: TestSandbox;
let tdb: TestDatabase;
const logLines: string[] = [];
const logStream = new Writable({
  write(chunk, _enc, done) {
    logLines.push(chunk.toString());
    done();
  },
});

beforeAll(async () => {
  sb = await startTestSandbox();
  tdb = await freshDatabase();
});
afterAll(async () => {
  await sb.close();
  await tdb.drop();
});

describe('redaction', () => {
  it('orcid_calls and the process log hold none of the tokens and secrets used', async () => {
    const logger = createLogger('debug', logStream);
    const client = await newClient(sb.base);
    const env = orcidEnvironment('local', sb.base);
    const transport = new OrcidTransport({
      baseDelayMs: 1,
      recorder: allRecorders(new OrcidCallRepository(tdb.db), callLogger(logger)),
      onRecorderError: (e) => logger.error(e),
    });
    const oauth = new OrcidOAuth(env, client, transport);
    const api = new OrcidApi(env, transport, { clientId: client.clientId, apiType: 'member' });
    const secrets: string[] = [client.clientSecret];

    const r = await newResearcher(sb.base);
    const { location } = await control<{ location: string }>(sb.base, 'POST', '/authorize', {
      orcid: r.orcid,
      clientId: client.clientId,
      scope: '/read-limited /activities/update /person/update openid',
      redirectUri: REDIRECT,
      nonce: 'n',
    });
    const code = new URL(location).searchParams.get('code')!;
    secrets.push(code);
    const t = await oauth.exchangeCode(code, REDIRECT);
    secrets.push(t.access_token, t.refresh_token!, t.id_token!);
    const refreshed = await oauth.refresh(t.refresh_token!, { revokeOld: false });
    secrets.push(refreshed.access_token, refreshed.refresh_token!);
    const cc = await oauth.clientCredentials('/read-public /webhook');
    secrets.push(cc.access_token, cc.refresh_token!);
    await api.create(t.access_token, r.orcid, 'keywords', { content: 'redaction' });
    await api.record(t.access_token, r.orcid);
    await api.registerWebhook(cc.access_token, r.orcid, 'https://portal.example.org/hook');
    await oauth.revoke(refreshed.access_token);
    // 401 invalid_token: ORCID echoes the token in its error text; the error says so without it.
    const invalid = await api.record(refreshed.access_token, r.orcid).then(
      () => null,
      (e: unknown) => e,
    );
    expect(invalid).toBeInstanceOf(OrcidError);
    // A reused code: ORCID's error names it (and disables the tokens it issued).
    const reused = await oauth.exchangeCode(code, REDIRECT).then(
      () => null,
      (e: unknown) => e,
    );
    expect(reused).toBeInstanceOf(OrcidError);
    const errors = [invalid, reused].map((e) => {
      const err = e as OrcidError;
      return `${err.message}\n${JSON.stringify(err.details)}`;
    });
    expect(errors[0]).toContain('Invalid access token: [redacted]');
    logger.info(
      { token: { access_token: t.access_token, client_secret: client.clientSecret } },
      'an object that carries secrets',
    );

    const { rows } = await sql<{
      row: string;
    }>`select row_to_json(c)::text as row from orcid_calls c`.execute(tdb.db);
    expect(rows.length).toBeGreaterThanOrEqual(9);
    const callLog = rows.map((x) => x.row).join('\n');
    const processLog = logLines.join('');
    expect(processLog).toContain('ORCID call');
    expect(callLog).toContain('/oauth/token');
    for (const secret of secrets) {
      for (const e of errors) expect(e, 'errors thrown').not.toContain(secret);
      expect(callLog, 'orcid_calls').not.toContain(secret);
      expect(processLog, 'process log').not.toContain(secret);
    }
    // What is not secret stays readable for support.
    expect(callLog).toContain(r.orcid);
    expect(callLog).toContain('invalid_token');
  });
});
