// Sends one signed event to an organisation's endpoint: POST, to the address the guard resolved
// and checked (the TLS name and Host header stay the URL's), no redirects followed (undici
// follows none unless asked), bounded in time and in what is read back.
import { request } from 'undici';
import type { EventSender } from '../services/ports.js';
import { type OutboundGuard, pinnedAgent } from './outbound-guard.js';

const TIMEOUT_MS = 15_000;

export function eventSender(guard: OutboundGuard): EventSender {
  return {
    check: async (url) => {
      await guard.resolve(url);
    },
    async send(url, headers, body) {
      const target = await guard.resolve(url);
      const agent = pinnedAgent(target, TIMEOUT_MS);
      try {
        const res = await request(target.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'user-agent': 'Lanyard-Events/1', ...headers },
          body,
          dispatcher: agent,
        });
        await res.body.dump({ limit: 64 * 1024 });
        return { status: res.statusCode };
      } finally {
        await agent.close();
      }
    },
  };
}
