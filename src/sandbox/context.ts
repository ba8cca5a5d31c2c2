// What every part of the simulator shares: state, model, options, keys and URLs.
import type { OrcidModel } from '../../lib/orcid-model/orcid-model.js';
import type { OidcKeys } from './oauth/oidc-keys.js';
import type { SandboxStore } from './store/sandbox-store.js';

export interface RateLimitSettings {
  memberPerSecond: number;
  publicPerSecond: number;
  burst: number;
  enabled: boolean;
}

export interface SandboxOptions {
  /** Base URL used for the OIDC issuer, Location headers and `uri`/`host` fields. Default: the listening address. */
  publicUrl?: string;
  /** Serve the control API at /__sandbox/. */
  control: boolean;
  /** Authorization code lifetime (SPEC 3.6; 10 minutes by default). */
  codeTtlSeconds: number;
  /** Delay between webhook attempts: failures × this (SPEC 9, linear backoff). */
  webhookRetryDelayMs: number;
  /** How often due webhooks are sent. ORCID batches; tests want it fast. */
  webhookIntervalMs: number;
  webhookMaxAttempts: number;
  webhookTimeoutMs: number;
  rateLimit: RateLimitSettings;
  /** Write the state here on every change (debounced) and load it at start. */
  snapshotFile?: string;
  logger: boolean;
}

export const DEFAULT_OPTIONS: SandboxOptions = {
  control: false,
  codeTtlSeconds: 600,
  webhookRetryDelayMs: 15 * 60 * 1000,
  webhookIntervalMs: 5000,
  webhookMaxAttempts: 25,
  webhookTimeoutMs: 20000,
  rateLimit: { memberPerSecond: 24, publicPerSecond: 12, burst: 40, enabled: true },
  logger: false,
};

export class SandboxUrls {
  constructor(private base: string) {}

  setBase(base: string): void {
    this.base = base.replace(/\/+$/, '');
  }

  get registry(): string {
    return this.base;
  }

  get memberApi(): string {
    return `${this.base}/api`;
  }

  get publicApi(): string {
    return `${this.base}/pub`;
  }

  /** `host` of iD and client identifiers in payloads (e.g. `sandbox.orcid.org`). */
  get host(): string {
    return new URL(this.base).host;
  }

  orcidUri(orcid: string): string {
    return `${this.base}/${orcid}`;
  }

  clientUri(clientId: string): string {
    return `${this.base}/client/${clientId}`;
  }
}

export interface SandboxContext {
  store: SandboxStore;
  model: OrcidModel;
  options: SandboxOptions;
  keys: OidcKeys;
  urls: SandboxUrls;
}
