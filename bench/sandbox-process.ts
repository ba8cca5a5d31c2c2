// Starts `lanyard sandbox` as its own process (its own event loop, as in real use) and returns its URL.
import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

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
