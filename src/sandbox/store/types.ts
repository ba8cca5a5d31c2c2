// The simulator's state. Everything is plain data so that it snapshots to JSON.
import type { JsonObject } from '../../../lib/orcid-model/codec.js';

export type Visibility = 'public' | 'limited' | 'registered-only' | 'private';
export type RecordState = 'active' | 'deprecated' | 'locked' | 'deactivated';

export interface Client {
  clientId: string;
  clientSecret: string;
  name: string;
  description: string;
  website: string;
  type: 'member' | 'public';
  premium: boolean;
  redirectUris: string[];
}

export interface Researcher {
  orcid: string;
  email: string;
  password: string;
  givenNames: string;
  familyNames: string;
  creditName: string | null;
  /** Visibility of names; ORCID shows names publicly by default. */
  namesVisibility: Visibility;
  emailVisibility: Visibility;
  biography: string | null;
  defaultVisibility: Visibility;
  locale: string;
  state: RecordState;
  primary: string | null;
  createdAt: number;
  lastModified: number;
  lastLogin: number | null;
  /**
   * "Allow trusted organisations to ask me for permission" (ORCID's sendMemberUpdateRequests):
   * when false, permission notifications are refused (409 / 9032). Absent means allowed.
   */
  memberRequests?: boolean;
}

/** Who wrote an item: a client (member integration) or the researcher. */
export type ItemSource = { clientId: string } | { orcid: string };

export interface Item {
  putCode: number;
  orcid: string;
  section: string;
  /** The item in ORCID JSON, without put-code, path, source, visibility and dates. */
  data: JsonObject;
  visibility: Visibility;
  source: ItemSource;
  displayIndex: number;
  createdAt: number;
  lastModified: number;
}

export interface AccessToken {
  accessToken: string;
  refreshToken: string | null;
  clientId: string;
  orcid: string | null;
  scopes: string[];
  expiresAt: number;
  issuedAt: number;
  /** Persistent (long-life) tokens allow auto-approval (SPEC 3.3). */
  persistent: boolean;
  disabled: boolean;
  revokeReason: 'USER_REVOKED' | 'CLIENT_REVOKED' | 'AUTH_CODE_REUSED' | 'REFRESHED' | null;
  /** The authorization code this token came from, for code-reuse revocation. */
  fromCode: string | null;
  /** API calls made with it, and the last one's time (the control API's state shows both). */
  uses?: number;
  lastUsedAt?: number | null;
}

export interface AuthorizationCode {
  code: string;
  clientId: string;
  orcid: string;
  scopes: string[];
  redirectUri: string;
  nonce: string | null;
  authTime: number;
  expiresAt: number;
  used: boolean;
}

export interface Webhook {
  orcid: string;
  uri: string;
  clientId: string;
  registeredAt: number;
  /** Set when the record changed since the last successful delivery. */
  due: boolean;
  failedAttempts: number;
  nextAttemptAt: number;
}

export interface WebhookDelivery {
  orcid: string;
  uri: string;
  at: number;
  attempt: number;
  status: number | null;
  ok: boolean;
  error: string | null;
  /** Lost on the way by a fault rule: ORCID counted it sent, the callback never got it. */
  dropped?: boolean;
}

export interface GroupIdRecord {
  putCode: number;
  name: string;
  groupId: string;
  description: string;
  type: string;
  clientId: string | null;
}

/** A permission request in a researcher's ORCID inbox (SPEC 6.10). */
export interface InboxNotification {
  putCode: number;
  orcid: string;
  clientId: string;
  /** As posted, in ORCID JSON: notification-type, authorization-url, subject, intro and items. */
  data: JsonObject;
  createdAt: number;
  readAt: number | null;
  actionedAt: number | null;
  archivedAt: number | null;
}

export interface SandboxSnapshot {
  version: 1;
  clients: Client[];
  researchers: Researcher[];
  items: Item[];
  tokens: AccessToken[];
  webhooks: Webhook[];
  groups: GroupIdRecord[];
  /** Absent in snapshots taken before the inbox existed. */
  notifications?: InboxNotification[];
  nextPutCode: number;
}
