// Reconciliation: what webhook notifications miss (and everything, for tenants without webhooks)
// is found by reading every active link again at least every N days (tenant setting; 7 with
// webhooks, 1 without). Each run reads the stalest links: an even share of the period (every link
// once per period), more when links are overdue, never more than the tenant's share of its ORCID
// rate limit (default 25%, so that writes and people's own requests keep the rest). The reads of
// one run are spread over the run's interval rather than sent at once.
import type { OrcidLinkRepository } from '../db/orcid-link.repository.js';
import { reconciliation } from '../domain/tenant.js';
import type { RecordSyncQueue } from './ports.js';
import type { TenantDirectory } from './tenant-directory.js';

export interface ReconcileDeps {
  directory: TenantDirectory;
  links: OrcidLinkRepository;
  recordSync: RecordSyncQueue;
}

export interface ReconcilePlan {
  /** Reads this run may make at most (the rate-limit share over the interval). */
  budget: number;
  /** Reads queued. */
  queued: number;
  active: number;
  overdue: number;
}

export class ReconcileService {
  constructor(private readonly d: ReconcileDeps) {}

  /** One run for one tenant, for a run every `intervalSeconds`. */
  async run(tenantId: string, intervalSeconds: number, now = new Date()): Promise<ReconcilePlan> {
    const tenant = await this.d.directory.byId(tenantId);
    if (!tenant) return { budget: 0, queued: 0, active: 0, overdue: 0 };
    const { everyDays, share } = reconciliation(tenant.sync_settings);
    const periodSeconds = everyDays * 86_400;
    const { active, overdue } = await this.d.links.syncBacklog(
      tenantId,
      new Date(now.getTime() - periodSeconds * 1000),
    );
    const budget = Math.floor(share * tenant.rate_limit_per_s * intervalSeconds);
    const even = Math.ceil((active * intervalSeconds) / periodSeconds);
    const take = Math.min(budget, Math.max(even, overdue));
    const ids = take > 0 ? await this.d.links.stalest(tenantId, take) : [];
    for (let i = 0; i < ids.length; i++)
      await this.d.recordSync.enqueueSync(tenantId, ids[i]!, 'reconcile', (i * intervalSeconds) / ids.length);
    return { budget, queued: ids.length, active, overdue };
  }
}
