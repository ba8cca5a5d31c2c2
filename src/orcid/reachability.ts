// Whether an ORCID environment answers at all: its OpenID discovery document, fetched with a
// short timeout (the operator's installation health). No credentials are involved.
import { request } from 'undici';
import type { OrcidEnvironment } from './environments.js';

export interface Reachability {
  reachable: boolean;
  ms: number;
  detail: string;
}

export async function probeEnvironment(env: OrcidEnvironment, timeoutMs = 3000): Promise<Reachability> {
  const started = performance.now();
  try {
    const res = await request(`${env.registry}/.well-known/openid-configuration`, {
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.body.dump();
    const ms = Math.round(performance.now() - started);
    return { reachable: res.statusCode === 200, ms, detail: `HTTP ${res.statusCode}` };
  } catch (e) {
    return { reachable: false, ms: Math.round(performance.now() - started), detail: (e as Error).message };
  }
}
