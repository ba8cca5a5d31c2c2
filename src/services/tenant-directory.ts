// The one place a process keeps tenants, and what it derives from each (its ORCID client, its
// two-legged tokens): read once, kept until the tenant changes. Changes reach every process
// through the database (TenantRepository notifies, src/db/tenant-changes.ts listens), so no
// process waits out a fixed delay to see them. A process that is not listening (a CLI command)
// keeps nothing for longer than UNHEARD_TTL_MS.
import type { Tenant, TenantRepository } from '../db/tenant.repository.js';

/** Without notices (not listening, or between a lost connection and its return), copies age out. */
const UNHEARD_TTL_MS = 5000;

interface Entry {
  at: number;
  tenant: Promise<Tenant | undefined>;
  derived: Map<string, unknown>;
}

export class TenantDirectory {
  private readonly byIdEntries = new Map<string, Entry>();
  private readonly slugs = new Map<string, string>();
  private listening = false;

  constructor(private readonly tenants: TenantRepository) {}

  /** Notices of changes now arrive (the entries are kept until one says otherwise). */
  heard(): void {
    this.listening = true;
  }

  /** A tenant changed (null: any may have). */
  changed(tenantId: string | null): void {
    if (tenantId === null) {
      this.byIdEntries.clear();
      this.slugs.clear();
      return;
    }
    this.byIdEntries.delete(tenantId);
    for (const [slug, id] of this.slugs) if (id === tenantId) this.slugs.delete(slug);
  }

  private fresh(e: Entry | undefined): e is Entry {
    return e !== undefined && (this.listening || Date.now() - e.at < UNHEARD_TTL_MS);
  }

  byId(id: string): Promise<Tenant | undefined> {
    const hit = this.byIdEntries.get(id);
    if (this.fresh(hit)) return hit.tenant;
    return this.load(id, this.tenants.byId(id));
  }

  async bySlug(slug: string): Promise<Tenant | undefined> {
    const id = this.slugs.get(slug);
    if (id) {
      const hit = this.byIdEntries.get(id);
      if (this.fresh(hit)) return hit.tenant;
    }
    const tenant = await this.tenants.bySlug(slug);
    if (!tenant) return undefined;
    this.slugs.set(slug, tenant.id);
    return this.load(tenant.id, Promise.resolve(tenant));
  }

  private load(id: string, tenant: Promise<Tenant | undefined>): Promise<Tenant | undefined> {
    const entry: Entry = { at: Date.now(), tenant, derived: new Map() };
    tenant.catch(() => this.byIdEntries.get(id) === entry && this.byIdEntries.delete(id));
    // A directory of many organisations stays bounded.
    if (this.byIdEntries.size > 10_000) this.changed(null);
    this.byIdEntries.set(id, entry);
    return tenant;
  }

  /**
   * A value derived from the tenant (`make` runs once), dropped with the tenant's entry when it
   * changes. A failed value is dropped at once, so the next call makes it again.
   */
  derived<T>(tenant: Tenant, kind: string, make: () => Promise<T>): Promise<T> {
    // Made from this version of the tenant: a caller holding an older copy gets its own.
    const key = `${kind}@${new Date(tenant.updated_at).getTime()}`;
    let entry = this.byIdEntries.get(tenant.id);
    if (!this.fresh(entry)) {
      this.load(tenant.id, Promise.resolve(tenant));
      entry = this.byIdEntries.get(tenant.id)!;
    }
    const hit = entry.derived.get(key) as Promise<T> | undefined;
    if (hit) return hit;
    const value = make();
    const derived = entry.derived;
    value.catch(() => derived.get(key) === value && derived.delete(key));
    derived.set(key, value);
    return value;
  }
}
