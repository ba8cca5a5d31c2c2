// Starts `lanyard sandbox` as its own process (its own event loop, as in real use) and returns its URL.
import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface SandboxProcess {
  base: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

export async function spawnSandbox(extraArgs: string[] = []): Promise<SandboxProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(root, 'src/main.ts'), 'sandbox', '--port', '0', '--control', ...extraArgs],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const base = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /ORCID sandbox listening on (\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`sandbox exited with ${code}: ${out}`)));
  });
  return {
    base,
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** POST to the simulator's control API. */
export async function sandboxControl(
  base: string,
  path: string,
  body: unknown,
): Promise<Record<string, string>> {
  const res = await fetch(`${base}/__sandbox${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as Record<string, string>;
}

/** A new researcher who granted the client `scope`: the iD and an access token. */
export async function connectResearcher(
  base: string,
  client: { clientId: string; clientSecret: string },
  email: string,
  scope: string,
): Promise<{ orcid: string; token: string; response: Record<string, unknown> & { access_token: string } }> {
  const { orcid } = await sandboxControl(base, '/researchers', {
    email,
    password: 'x',
    givenNames: 'Bench',
    familyNames: 'Mark',
  });
  const { location } = await sandboxControl(base, '/authorize', {
    orcid,
    clientId: client.clientId,
    scope,
    redirectUri: 'https://bench.example.org/cb',
  });
  const code = new URL(location!).searchParams.get('code')!;
  const res = await fetch(`${base}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      client_id: client.clientId,
      client_secret: client.clientSecret,
      grant_type: 'authorization_code',
      code,
    }).toString(),
  });
  if (!res.ok) throw new Error(`token exchange: ${res.status} ${await res.text()}`);
  const response = (await res.json()) as Record<string, unknown> & { access_token: string };
  return { orcid: orcid!, token: response.access_token, response };
}
