// In-memory registry state with the operations the routes need. It knows nothing of HTTP.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { JsonObject } from '../../../lib/orcid-model/codec.js';
import { CLIENT_ID_RE, isValidOrcid, newClientId, newClientSecret, newOrcid } from '../ids.js';
import type {
  AccessToken,
  AuthorizationCode,
  Client,
  GroupIdRecord,
  InboxNotification,
  Item,
  ItemSource,
  Researcher,
  SandboxSnapshot,
  Visibility,
  Webhook,
  WebhookDelivery,
} from './types.js';

export class SandboxError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface NewClient {
  name: string;
  description?: string;
  website?: string;
  type: 'member' | 'public';
  premium?: boolean;
  redirectUris: string[];
  clientId?: string;
  clientSecret?: string;
}

export interface NewResearcher {
  email: string;
  password: string;
  givenNames: string;
  familyNames: string;
  orcid?: string;
  creditName?: string | null;
  defaultVisibility?: Visibility;
  locale?: string;
}

/** Lifetimes of SPEC 3.8. */
export const LONG_LIFE_SECONDS = 631138519;

export class SandboxStore {
  clients = new Map<string, Client>();
  researchers = new Map<string, Researcher>();
  researchersByEmail = new Map<string, string>();
  items = new Map<number, Item>();
  /** Put codes per record and section. */
  itemsByOrcid = new Map<string, Map<string, Set<number>>>();
  tokens = new Map<string, AccessToken>();
  refreshTokens = new Map<string, string>();
  codes = new Map<string, AuthorizationCode>();
  webhooks = new Map<string, Webhook>();
  deliveries: WebhookDelivery[] = [];
  groups = new Map<number, GroupIdRecord>();
  notifications = new Map<number, InboxNotification>();
  requestCounts = new Map<string, number>();
  nextPutCode = 1000;
  private readonly changeListeners: Array<(orcid: string) => void> = [];

  /** The clock; tests may move it forward through the control API. */
  now: () => number = () => Date.now() + this.clockOffsetMs;
  clockOffsetMs = 0;

  onRecordChange(listener: (orcid: string) => void): void {
    this.changeListeners.push(listener);
  }

  /** Counts changes per record, so caches of derived data know when to rebuild. */
  private readonly versions = new Map<string, number>();

  version(orcid: string): number {
    return this.versions.get(orcid) ?? 0;
  }

  touch(orcid: string): void {
    this.versions.set(orcid, this.version(orcid) + 1);
    const r = this.researchers.get(orcid);
    if (r) r.lastModified = this.now();
    for (const l of this.changeListeners) l(orcid);
  }

  // ------------------------------------------------------------------ clients

  addClient(input: NewClient): Client {
    const clientId = input.clientId ?? newClientId();
    if (!CLIENT_ID_RE.test(clientId) && !isValidOrcid(clientId))
      throw new SandboxError(400, `clientId must match APP-[0-9A-Z]{16}: ${clientId}`);
    if (this.clients.has(clientId)) throw new SandboxError(409, `client ${clientId} already exists`);
    for (const uri of input.redirectUris) {
      try {
        new URL(uri);
      } catch {
        throw new SandboxError(400, `redirect URI is not an absolute URL: ${uri}`);
      }
    }
    const client: Client = {
      clientId,
      clientSecret: input.clientSecret ?? newClientSecret(),
      name: input.name,
      description: input.description ?? '',
      website: input.website ?? '',
      type: input.type,
      premium: input.premium ?? false,
      redirectUris: [...input.redirectUris],
    };
    this.clients.set(clientId, client);
    return client;
  }

  /** The member resets the client's secret (ORCID's Developer Tools): the old one stops working. */
  resetClientSecret(clientId: string): Client {
    const client = this.clients.get(clientId);
    if (!client) throw new SandboxError(404, `no client ${clientId}`);
    client.clientSecret = newClientSecret();
    return client;
  }

  // ------------------------------------------------------------------ researchers

  addResearcher(input: NewResearcher): Researcher {
    const email = input.email.trim().toLowerCase();
    if (this.researchersByEmail.has(email))
      throw new SandboxError(409, `email ${email} is already registered`);
    if (input.orcid !== undefined && !isValidOrcid(input.orcid))
      throw new SandboxError(400, `not a valid ORCID iD (format or checksum): ${input.orcid}`);
    if (input.orcid && this.researchers.has(input.orcid))
      throw new SandboxError(409, `ORCID iD ${input.orcid} already exists`);
    const orcid = input.orcid ?? newOrcid((id) => this.researchers.has(id));
    const now = this.now();
    const r: Researcher = {
      orcid,
      email,
      password: input.password,
      givenNames: input.givenNames,
      familyNames: input.familyNames,
      creditName: input.creditName ?? null,
      namesVisibility: 'public',
      emailVisibility: 'private',
      biography: null,
      defaultVisibility: input.defaultVisibility ?? 'public',
      locale: input.locale ?? 'en',
      state: 'active',
      primary: null,
      createdAt: now,
      lastModified: now,
      lastLogin: null,
    };
    this.researchers.set(orcid, r);
    this.researchersByEmail.set(email, orcid);
    this.itemsByOrcid.set(orcid, new Map());
    return r;
  }

  /** Sign-in by email or iD (any case, with or without the https prefix). */
  findResearcherByLogin(login: string): Researcher | undefined {
    const value = login.trim();
    const id = value.replace(/^https?:\/\/[^/]+\//, '').toUpperCase();
    return (
      this.researchers.get(id) ?? this.researchers.get(this.researchersByEmail.get(value.toLowerCase()) ?? '')
    );
  }

  /** Public display name as the token response gives it (SPEC 3.7). */
  publicName(r: Researcher): string | null {
    if (r.namesVisibility !== 'public') return null;
    return r.creditName ?? `${r.givenNames} ${r.familyNames}`.trim();
  }

  // ------------------------------------------------------------------ items

  itemsOf(orcid: string, section?: string): Item[] {
    const bySection = this.itemsByOrcid.get(orcid);
    if (!bySection) return [];
    const sets =
      section === undefined ? [...bySection.values()] : [bySection.get(section) ?? new Set<number>()];
    const out: Item[] = [];
    for (const set of sets) for (const pc of set) out.push(this.items.get(pc)!);
    return out;
  }

  countOf(orcid: string, section: string): number {
    return this.itemsByOrcid.get(orcid)?.get(section)?.size ?? 0;
  }

  private indexItem(item: Item): void {
    const bySection = this.itemsByOrcid.get(item.orcid);
    if (!bySection) return;
    const set = bySection.get(item.section) ?? new Set<number>();
    set.add(item.putCode);
    bySection.set(item.section, set);
  }

  addItem(
    orcid: string,
    section: string,
    data: JsonObject,
    source: ItemSource,
    visibility: Visibility,
  ): Item {
    const now = this.now();
    const item: Item = {
      putCode: this.nextPutCode++,
      orcid,
      section,
      data,
      visibility,
      source,
      displayIndex: 0,
      createdAt: now,
      lastModified: now,
    };
    this.items.set(item.putCode, item);
    this.indexItem(item);
    this.touch(orcid);
    return item;
  }

  updateItem(item: Item, data: JsonObject): void {
    item.data = data;
    item.lastModified = this.now();
    this.touch(item.orcid);
  }

  setVisibility(item: Item, visibility: Visibility): void {
    item.visibility = visibility;
    item.lastModified = this.now();
    this.touch(item.orcid);
  }

  deleteItem(item: Item): void {
    this.items.delete(item.putCode);
    this.itemsByOrcid.get(item.orcid)?.get(item.section)?.delete(item.putCode);
    this.touch(item.orcid);
  }

  // ------------------------------------------------------------------ tokens

  saveToken(token: AccessToken): void {
    this.tokens.set(token.accessToken, token);
    if (token.refreshToken) this.refreshTokens.set(token.refreshToken, token.accessToken);
  }

  /** The tokens of one researcher for one client that are still usable. */
  activeTokens(orcid: string, clientId?: string): AccessToken[] {
    const now = this.now();
    return [...this.tokens.values()].filter(
      (t) =>
        t.orcid === orcid &&
        (clientId === undefined || t.clientId === clientId) &&
        !t.disabled &&
        t.expiresAt > now,
    );
  }

  /** The researcher removes a trusted organisation: all its tokens become USER_REVOKED. */
  revokeClientForResearcher(orcid: string, clientId: string): number {
    let n = 0;
    for (const t of this.activeTokens(orcid, clientId)) {
      t.disabled = true;
      t.revokeReason = 'USER_REVOKED';
      n++;
    }
    return n;
  }

  // ------------------------------------------------------------------ inbox

  /** A permission request from `clientId` in the researcher's inbox; put codes as for items. */
  addNotification(orcid: string, clientId: string, data: JsonObject): InboxNotification {
    const n: InboxNotification = {
      putCode: this.nextPutCode++,
      orcid,
      clientId,
      data,
      createdAt: this.now(),
      readAt: null,
      actionedAt: null,
      archivedAt: null,
    };
    this.notifications.set(n.putCode, n);
    return n;
  }

  /** The researcher's inbox, newest first. */
  inboxOf(orcid: string): InboxNotification[] {
    return [...this.notifications.values()]
      .filter((n) => n.orcid === orcid)
      .sort((a, b) => b.putCode - a.putCode);
  }

  // ------------------------------------------------------------------ snapshot

  snapshot(): SandboxSnapshot {
    return {
      version: 1,
      clients: [...this.clients.values()],
      researchers: [...this.researchers.values()],
      items: [...this.items.values()],
      tokens: [...this.tokens.values()],
      webhooks: [...this.webhooks.values()],
      groups: [...this.groups.values()],
      notifications: [...this.notifications.values()],
      nextPutCode: this.nextPutCode,
    };
  }

  restore(s: SandboxSnapshot): void {
    this.reset();
    for (const c of s.clients) this.clients.set(c.clientId, c);
    for (const r of s.researchers) {
      this.researchers.set(r.orcid, r);
      this.researchersByEmail.set(r.email, r.orcid);
      this.itemsByOrcid.set(r.orcid, new Map());
    }
    for (const i of s.items) {
      this.items.set(i.putCode, i);
      this.indexItem(i);
    }
    for (const t of s.tokens) this.saveToken(t);
    for (const w of s.webhooks) this.webhooks.set(webhookKey(w.orcid, w.uri), w);
    for (const g of s.groups) this.groups.set(g.putCode, g);
    for (const n of s.notifications ?? []) this.notifications.set(n.putCode, n);
    this.nextPutCode = s.nextPutCode;
  }

  saveSnapshotFile(path: string): void {
    const tmp = `${path}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.snapshot()));
    renameSync(tmp, path);
  }

  loadSnapshotFile(path: string): void {
    this.restore(JSON.parse(readFileSync(path, 'utf8')) as SandboxSnapshot);
  }

  reset(): void {
    this.clients.clear();
    this.researchers.clear();
    this.researchersByEmail.clear();
    this.items.clear();
    this.itemsByOrcid.clear();
    this.tokens.clear();
    this.refreshTokens.clear();
    this.codes.clear();
    this.webhooks.clear();
    this.deliveries = [];
    this.groups.clear();
    this.notifications.clear();
    this.requestCounts.clear();
    this.nextPutCode = 1000;
    this.clockOffsetMs = 0;
  }
}

export const webhookKey = (orcid: string, uri: string): string => `${orcid} ${uri}`;
