// The SSRF guard for requests to addresses an organisation gives (event endpoints): the host is
// resolved here and every address it resolves to must be a public unicast one: loopback,
// private, link-local, multicast, carrier-grade NAT, unique-local and unspecified ranges are
// refused, unless the operator allows them (LANYARD_OUTBOUND_ALLOW, a list of CIDRs). The caller
// then connects to the address checked here, so a DNS answer that changes in between (DNS
// rebinding) cannot switch the target.
import { lookup } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';
import { Agent } from 'undici';

export class OutboundRefused extends Error {
  override readonly name = 'OutboundRefused';
}

export interface ResolvedTarget {
  url: URL;
  address: string;
  family: 4 | 6;
}

type Lookup = (host: string) => Promise<Array<{ address: string; family: number }>>;

const defaultLookup: Lookup = (host) => lookup(host, { all: true, verbatim: true });

export class OutboundGuard {
  private readonly allowed: Array<[ipaddr.IPv4 | ipaddr.IPv6, number]>;

  constructor(
    allow: readonly string[] = [],
    private readonly resolveHost: Lookup = defaultLookup,
  ) {
    this.allowed = allow.map((cidr) => {
      try {
        return ipaddr.parseCIDR(cidr);
      } catch {
        throw new Error(`not a CIDR range: ${cidr}`);
      }
    });
  }

  /** Null when the address may be reached, else the name of its range. */
  private refusedRange(address: ipaddr.IPv4 | ipaddr.IPv6): string | null {
    const addr =
      address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()
        ? (address as ipaddr.IPv6).toIPv4Address()
        : address;
    if (this.allowed.some(([net, bits]) => net.kind() === addr.kind() && addr.match(net, bits))) return null;
    return addr.range() === 'unicast' ? null : addr.range();
  }

  /** The URL's host, resolved and checked; throws OutboundRefused saying why. */
  async resolve(target: string): Promise<ResolvedTarget> {
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      throw new OutboundRefused(`${target} is not a URL`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      throw new OutboundRefused(`${url.protocol} URLs are not supported: use https`);
    if (url.username || url.password)
      throw new OutboundRefused('a URL must not carry a user name or password');
    const host = url.hostname.replace(/^\[|\]$/g, '');
    let addresses: Array<{ address: string; family: number }>;
    if (ipaddr.isValid(host)) addresses = [{ address: host, family: host.includes(':') ? 6 : 4 }];
    else {
      try {
        addresses = await this.resolveHost(host);
      } catch (e) {
        throw new OutboundRefused(
          `${host} could not be resolved (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
        );
      }
    }
    if (!addresses.length) throw new OutboundRefused(`${host} resolves to no address`);
    for (const a of addresses) {
      const range = this.refusedRange(ipaddr.parse(a.address));
      if (range)
        throw new OutboundRefused(
          `${host} resolves to ${a.address}, a ${range} address: Lanyard only sends to public addresses (an operator may allow ranges with LANYARD_OUTBOUND_ALLOW)`,
        );
    }
    const first = addresses[0]!;
    return { url, address: first.address, family: first.family === 6 ? 6 : 4 };
  }
}

/**
 * An HTTP agent that connects only to the address the guard checked, whatever DNS answers now
 * (the TLS name and Host header stay the URL's); no redirects are followed (undici follows none
 * unless asked). Close it after the request.
 */
export function pinnedAgent(target: ResolvedTarget, timeoutMs: number): Agent {
  return new Agent({
    connect: {
      lookup: (_host, _opts, cb) => cb(null, [{ address: target.address, family: target.family }]),
      timeout: timeoutMs,
    },
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
}
