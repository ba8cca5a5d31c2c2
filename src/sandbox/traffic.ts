// Traffic shaping of the API hosts: ORCID's per-client token bucket (SPEC 10) and injected faults.
import type { RateLimitSettings } from './context.js';

export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(public settings: RateLimitSettings) {}

  /** Takes one request from the caller's bucket; false means 503. */
  take(key: string, kind: 'member' | 'public', now = performance.now()): boolean {
    if (!this.settings.enabled) return true;
    const rate = kind === 'member' ? this.settings.memberPerSecond : this.settings.publicPerSecond;
    const burst = this.settings.burst;
    const b = this.buckets.get(key) ?? { tokens: burst, at: now };
    b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * rate);
    b.at = now;
    this.buckets.set(key, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  clear(): void {
    this.buckets.clear();
  }
}

export interface FaultRule {
  method?: string;
  /** A regular expression tested against the request path (with query). */
  pathPattern?: string;
  status?: number;
  /** Share of matching requests affected, 0..1. */
  rate: number;
  latencyMs?: number;
  /** Never answer (the client times out). */
  timeout?: boolean;
  /** Drop the connection without an answer. */
  reset?: boolean;
  /**
   * Handle the request first (a POST stores its item), then fail the answer as the rule says:
   * what a client sees when ORCID stored a write and the answer was lost on the way.
   */
  afterStore?: boolean;
  /**
   * A rule for webhook deliveries rather than requests (method DELIVER, pathPattern tested
   * against the callback URL): a matching delivery is lost on the way. ORCID believes it sent
   * it, the callback never hears of it.
   */
  dropDelivery?: boolean;
}

export type FailedAnswer =
  | { kind: 'status'; status: number; delayMs: number }
  | { kind: 'timeout' }
  | { kind: 'reset'; delayMs: number };

export type FaultAction = { kind: 'none'; delayMs: number; after?: FailedAnswer } | FailedAnswer;

export class FaultRules {
  rules: Array<FaultRule & { regex: RegExp | null }> = [];

  add(rule: FaultRule): void {
    this.rules.push({ ...rule, regex: rule.pathPattern ? new RegExp(rule.pathPattern) : null });
  }

  clear(): void {
    this.rules = [];
  }

  /** Whether a webhook delivery to `uri` is lost (a dropDelivery rule matches and its roll hits). */
  dropsDelivery(uri: string, random = Math.random): boolean {
    return this.rules.some((r) => r.dropDelivery && (!r.regex || r.regex.test(uri)) && random() < r.rate);
  }

  /** What to do with one request: the first matching rule whose dice roll hits decides. */
  decide(method: string, url: string, random = Math.random): FaultAction {
    let delayMs = 0;
    for (const r of this.rules) {
      if (r.dropDelivery) continue;
      if (r.method && r.method.toUpperCase() !== method) continue;
      if (r.regex && !r.regex.test(url)) continue;
      if (random() >= r.rate) continue;
      delayMs += r.latencyMs ?? 0;
      const failed: FailedAnswer | null = r.timeout
        ? { kind: 'timeout' }
        : r.reset
          ? { kind: 'reset', delayMs }
          : r.status
            ? { kind: 'status', status: r.status, delayMs }
            : null;
      if (failed && r.afterStore) return { kind: 'none', delayMs, after: failed };
      if (failed) return failed;
    }
    return { kind: 'none', delayMs };
  }
}
