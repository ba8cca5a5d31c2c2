// `lanyard serve --role <role>` as its own process, as in production, for the benches; and the
// peak memory of such a process.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Starts the role; resolves once it says it runs. `nodeArgs`: e.g. "--cpu-prof" to profile it. */
export async function spawnRole(
  role: 'web' | 'worker',
  env: Record<string, string>,
  nodeArgs: string[] = [],
): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [...nodeArgs, '--import', 'tsx', join(root, 'src/main.ts'), 'serve', '--role', role],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, LOG_LEVEL: 'error', ...env },
    },
  );
  const ready = role === 'web' ? 'Lanyard web listening' : 'Lanyard worker running';
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes(ready)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`${role} exited ${code}: ${out}`)));
  });
  return child;
}

/** Stops the process (SIGTERM) and waits for it. */
export async function stopRole(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

/** The process's peak resident set (VmHWM), in MB. */
export const peakRssMb = (pid: number) =>
  Math.round(Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024);
