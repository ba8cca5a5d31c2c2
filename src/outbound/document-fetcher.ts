// Fetches a document an organisation names by URL (its identity provider's SAML metadata): GET,
// from the address the SSRF guard resolved and checked, no redirects followed, bounded in time
// and size.
import { request } from 'undici';
import type { DocumentFetcher } from '../services/ports.js';
import { type OutboundGuard, OutboundRefused, pinnedAgent } from './outbound-guard.js';

const TIMEOUT_MS = 10_000;

export function documentFetcher(guard: OutboundGuard, maxBytes = 1024 * 1024): DocumentFetcher {
  return {
    async fetchText(url) {
      const target = await guard.resolve(url);
      const agent = pinnedAgent(target, TIMEOUT_MS);
      try {
        const res = await request(target.url, {
          method: 'GET',
          headers: {
            accept: 'application/samlmetadata+xml, application/xml, text/xml',
            'user-agent': 'Lanyard/1',
          },
          dispatcher: agent,
        });
        if (res.statusCode !== 200) {
          await res.body.dump();
          throw new OutboundRefused(`${target.url.href} answered HTTP ${res.statusCode}`);
        }
        const chunks: Buffer[] = [];
        let size = 0;
        for await (const chunk of res.body as AsyncIterable<Buffer>) {
          size += chunk.length;
          if (size > maxBytes) {
            res.body.destroy();
            throw new OutboundRefused(`${target.url.href} sent more than ${maxBytes} bytes`);
          }
          chunks.push(chunk);
        }
        return Buffer.concat(chunks).toString('utf8');
      } catch (e) {
        if (e instanceof OutboundRefused) throw e;
        throw new OutboundRefused(`${target.url.href} could not be read: ${(e as Error).message}`);
      } finally {
        await agent.close();
      }
    },
  };
}
