// Runs `lanyard demo` (what `npm start` runs) as its own process on free ports and its own
// temporary data directory; used by the demo journey and the portal benchmark.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');

export interface DemoProcess {
  /** The demo organisation's portal, ending in a slash. */
  portal: string;
  /** The ORCID simulator. */
  orcid: string;
  output: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export async function spawnDemo(env: Record<string, string> = {}): Promise<DemoProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'lanyard-demo-'));
  const profile = process.env.LANYARD_DEMO_CPU_PROF
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.LANYARD_DEMO_CPU_PROF}`]
    : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', join(root, 'src/main.ts'), 'demo'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      // The demo always runs on its own embedded data, whatever database the suite uses.
      DATABASE_URL: '',
      LANYARD_KEYS: '',
      LANYARD_DATA_DIR: dataDir,
      LANYARD_PORT: '0',
      LANYARD_SANDBOX_PORT: String(await freePort()),
      LANYARD_EMBEDDED_PG_PORT: String(await freePort()),
      ...env,
    },
  });
  let output = '';
  const urls = await new Promise<{ portal: string; orcid: string }>((resolve, reject) => {
    const onData = (d: Buffer) => {
      output += d.toString();
      const p = /Researcher portal:\s+(\S+)/.exec(output);
      const o = /ORCID simulator:\s+(\S+)/.exec(output);
      if (p && o) resolve({ portal: p[1]!, orcid: o[1]! });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`demo exited ${code}: ${output}`)));
  });
  return {
    ...urls,
    get output() {
      return output;
    },
    child,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGINT');
        await exited;
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
