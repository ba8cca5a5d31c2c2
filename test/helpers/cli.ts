// Runs the `lanyard` command as an operator would, with its own environment and optional stdin.
import { spawn } from 'node:child_process';

export function lanyard(
  args: string[],
  env: Record<string, string>,
  stdin?: string,
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
      env: { ...process.env, DATABASE_URL: '', LANYARD_KEYS: '', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d;
    });
    child.stderr.on('data', (d: Buffer) => {
      out += d;
    });
    child.stdin.end(stdin ?? '');
    child.once('exit', (code) => resolve({ code, out }));
  });
}
