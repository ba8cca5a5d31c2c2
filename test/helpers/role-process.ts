// `lanyard serve --role <role>` as a process of its own, as in production; resolves once it says
// it runs. Each line it prints goes to `onLine` as it arrives.
import { type ChildProcess, spawn } from 'node:child_process';

export function spawnRole(
  role: 'web' | 'worker',
  env: Record<string, string>,
  onLine: (line: string) => void = () => {},
): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'serve', '--role', role], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, LOG_LEVEL: 'silent', ...env },
  });
  const ready = role === 'web' ? 'Lanyard web listening' : 'Lanyard worker running';
  return new Promise((resolve, reject) => {
    let rest = '';
    child.stdout!.on('data', (d: Buffer) => {
      rest += d;
      const lines = rest.split('\n');
      rest = lines.pop()!;
      for (const line of lines) {
        onLine(line);
        if (line.includes(ready)) resolve(child);
      }
    });
    child.once('exit', (code) => reject(new Error(`${role} exited ${code}`)));
  });
}
