// Every HTTP exchange with ORCID: keep-alive connections with a cap, timeouts, retries with
// exponential backoff and jitter on 5xx, 503, 429, timeouts and resets (honouring Retry-After),
// never a retry on another 4xx; a rate-limit slot before each attempt; each attempt logged
// with secrets redacted. A POST is not sent again once it may have reached ORCID: a lost answer
// (5xx, timeout, reset) may hide a stored item, and only the caller can look for it first.
import { Agent, request } from 'undici';
import { errorFromResponse, type OrcidError, transportError } from './errors.js';
import { redactText, redactUrl } from './redact.js';

export interface OrcidHttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  body?: string;
  /** For the call log. */
  tenantId?: string | null;
  orcid?: string | null;
  /** /oauth/token and /oauth/revoke answer with OAuth errors. */
  tokenEndpoint?: boolean;
  /** Sending it twice does no harm; by default true for every method but POST. */
  retrySafe?: boolean;
  /** Rate-limit bucket: the ORCID client id. */
  clientId?: string;
}

export interface OrcidHttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** One attempt, as the call log keeps it (already redacted). */
export interface CallRecord {
  tenantId: string | null;
  orcid: string | null;
  method: string;
  url: string;
  requestBody: string | null;
  status: number | null;
  responseBody: string | null;
  errorCode: number | null;
  error: string | null;
  durationMs: number;
  attempt: number;
}

export interface CallRecorder {
  record(call: CallRecord): Promise<void>;
}

export interface RateLimiter {
  /** Resolves when this client may send its next request. */
  acquire(clientId: string): Promise<void>;
  /** ORCID answered 503: everyone using this client slows down for a while. */
  backOff(clientId: string): Promise<void>;
}

export interface TransportOptions {
  /** Total attempts, the first included. */
  attempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  timeoutMs?: number;
  connections?: number;
  recorder?: CallRecorder;
  limiter?: RateLimiter;
  onRecorderError?: (e: unknown) => void;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

/** Failures that prove the request never reached ORCID. */
const NOT_SENT = new Set(['ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT', 'ENOTFOUND', 'EAI_AGAIN']);

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class OrcidTransport {
  private readonly agent: Agent;
  private readonly o: Required<Omit<TransportOptions, 'recorder' | 'limiter' | 'onRecorderError'>> &
    Pick<TransportOptions, 'recorder' | 'limiter' | 'onRecorderError'>;

  constructor(options: TransportOptions = {}) {
    this.o = {
      attempts: 5,
      baseDelayMs: 200,
      maxDelayMs: 20_000,
      timeoutMs: 30_000,
      connections: 16,
      sleep: defaultSleep,
      random: Math.random,
      ...options,
    };
    this.agent = new Agent({
      connections: this.o.connections,
      keepAliveTimeout: 30_000,
      headersTimeout: this.o.timeoutMs,
      bodyTimeout: this.o.timeoutMs,
      connect: { timeout: Math.min(this.o.timeoutMs, 10_000) },
    });
  }

  /** Exponential backoff with full jitter; a Retry-After longer than that wins. */
  delayFor(attempt: number, retryAfterMs: number | null): number {
    const ceiling = Math.min(this.o.maxDelayMs, this.o.baseDelayMs * 2 ** (attempt - 1));
    const jittered = Math.round(ceiling / 2 + (this.o.random() * ceiling) / 2);
    return Math.max(jittered, Math.min(retryAfterMs ?? 0, this.o.maxDelayMs * 3));
  }

  async send(req: OrcidHttpRequest): Promise<OrcidHttpResponse> {
    for (let attempt = 1; ; attempt++) {
      if (req.clientId && this.o.limiter) await this.o.limiter.acquire(req.clientId);
      const started = performance.now();
      let response: OrcidHttpResponse | null = null;
      let failure: OrcidError;
      let neverSent = false;
      try {
        const res = await request(req.url, {
          method: req.method,
          headers: req.headers,
          body: req.body,
          dispatcher: this.agent,
          headersTimeout: this.o.timeoutMs,
          bodyTimeout: this.o.timeoutMs,
        });
        const body = await res.body.text();
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers))
          if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
        response = { status: res.statusCode, headers, body };
      } catch (e) {
        failure = transportError(e);
        neverSent = NOT_SENT.has((e as { code?: string }).code ?? '');
      }
      const durationMs = Math.round(performance.now() - started);
      if (response && response.status < 300) {
        await this.log(req, attempt, durationMs, response, null);
        return response;
      }
      if (response) {
        failure = errorFromResponse(
          response.status,
          response.body,
          { location: response.headers.location, retryAfter: response.headers['retry-after'] },
          { tokenEndpoint: req.tokenEndpoint },
        );
      }
      await this.log(req, attempt, durationMs, response, failure!);
      const mayResend = neverSent || (req.retrySafe ?? req.method !== 'POST');
      if (!failure!.retriable || !mayResend || attempt >= this.o.attempts) throw failure!;
      if (response?.status === 503 && req.clientId && this.o.limiter)
        await this.o.limiter.backOff(req.clientId);
      await this.o.sleep(this.delayFor(attempt, failure!.details.retryAfterMs));
    }
  }

  private async log(
    req: OrcidHttpRequest,
    attempt: number,
    durationMs: number,
    res: OrcidHttpResponse | null,
    error: OrcidError | null,
  ): Promise<void> {
    if (!this.o.recorder) return;
    try {
      await this.o.recorder.record({
        tenantId: req.tenantId ?? null,
        orcid: req.orcid ?? null,
        method: req.method,
        url: redactUrl(req.url),
        requestBody: redactText(req.body ?? null),
        status: res?.status ?? null,
        responseBody: redactText(res?.body ?? null),
        errorCode: error?.details.errorCode ?? null,
        error: res ? null : (redactText(error?.message ?? null) ?? null),
        durationMs,
        attempt,
      });
    } catch (e) {
      // The call log must never break a call to ORCID.
      this.o.onRecorderError?.(e);
    }
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}
