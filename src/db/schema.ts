// Row types of the platform's tables, as Kysely sees them. Migrations are the source of truth;
// these types follow them.
import type { ColumnType, Generated } from 'kysely';
import type { InvitationTemplates } from '../domain/invitation-template.js';
import type { ItemStatus } from '../domain/item.js';
import type { RecordSummary } from '../domain/record-summary.js';
import type {
  InvitationSettings,
  PersonAttributes,
  PortalTexts,
  SignInSettings,
  SyncSettings,
} from '../domain/tenant.js';
import type { UploadState } from '../domain/upload-file.js';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface TenantsTable {
  id: Generated<string>;
  slug: string;
  name: string;
  orcid_environment: 'production' | 'sandbox' | 'local';
  api_type: 'member' | 'public';
  client_id: string;
  /** Sealed with AAD tenants/client_secret/{id}. */
  client_secret_sealed: string;
  scopes: string;
  redirect_uri: string;
  support_contact: string;
  /** ORCID rate limit for this client: requests per second and burst. */
  rate_limit_per_s: Generated<number>;
  rate_limit_burst: Generated<number>;
  /** How this tenant talks to ORCID's API. */
  orcid_wire_format: Generated<'json' | 'xml'>;
  /** { [lang]: { why?, use? } }: the organisation's words on the portal. */
  portal_texts: ColumnType<PortalTexts, PortalTexts | undefined, PortalTexts>;
  org_name: string | null;
  org_city: string | null;
  org_region: string | null;
  org_country: string | null;
  org_disambiguated_id: string | null;
  org_disambiguation_source: 'ROR' | 'RINGGOLD' | 'GRID' | 'FUNDREF' | 'LEI' | null;
  employment_on_connect: ColumnType<boolean, boolean | undefined, boolean>;
  sync_settings: ColumnType<SyncSettings, SyncSettings | undefined, SyncSettings>;
  sign_in: ColumnType<SignInSettings, SignInSettings | undefined, SignInSettings>;
  /** The institutional OIDC client secret, sealed with AAD tenants/oidc_client_secret_sealed/{id}. */
  oidc_client_secret_sealed: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  token_export: Generated<boolean>;
  invitation_settings: ColumnType<InvitationSettings, InvitationSettings | undefined, InvitationSettings>;
  invitation_templates: ColumnType<InvitationTemplates, InvitationTemplates | undefined, InvitationTemplates>;
  /** Set while the operator has suspended the organisation: no ORCID work, the portal explains. */
  suspended_at: Date | null;
  /** The operator asked for the organisation's deletion: its tokens are being revoked, then it goes. */
  deletion_requested_at: Date | null;
  /**
   * What ORCID last made of the credentials: at the last "Test connection", or in ordinary work
   * when that changed what was known (the operator's health list shows it).
   */
  connection_check: ColumnType<
    ConnectionCheck | null,
    ConnectionCheck | null | undefined,
    ConnectionCheck | null
  >;
}

export interface ConnectionCheck {
  at: string;
  ok: boolean;
  /** Why it failed, in the words of TenantSettingsService's reasons. */
  reason?: string;
  /** 'work': seen in ordinary work (a token exchange or revocation); absent: a Test connection. */
  source?: 'work';
}

export interface OrcidCallsTable {
  id: Generated<string>;
  tenant_id: string | null;
  orcid: string | null;
  method: string;
  url: string;
  request_body: string | null;
  status: number | null;
  response_body: string | null;
  error_code: number | null;
  error: string | null;
  duration_ms: number;
  attempt: Generated<number>;
  created_at: Generated<Date>;
}

export interface CallLogSharesTable {
  id: Generated<string>;
  tenant_id: string;
  /** sha256 of the link's token (the token itself is shown once, in the link). */
  token_hash: string;
  call_ids: ColumnType<string[], string[], string[]>;
  note: string | null;
  created_by: string;
  created_at: Generated<Date>;
  expires_at: Timestamp;
  revoked_at: Date | null;
}

export interface OrcidRateLimitsTable {
  client_id: string;
  tokens: number;
  updated_at: Timestamp;
}

export interface PeopleTable {
  id: Generated<string>;
  tenant_id: string;
  local_id: string;
  email: string | null;
  eppn: string | null;
  employee_id: string | null;
  given_names: string | null;
  family_name: string | null;
  employment_status: 'current' | 'left' | null;
  employment_start: ColumnType<string | null, string | null | undefined, string | null>;
  employment_end: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface OrcidLinksTable {
  id: Generated<string>;
  tenant_id: string;
  person_id: string;
  orcid: string;
  /** The whole token response, sealed with AAD orcid_links/token_sealed/{id}. */
  token_sealed: string | null;
  scope: string;
  expires_at: Timestamp;
  name: string | null;
  status: 'active' | 'revoked' | 'deprecated' | 'expired';
  granted_at: Generated<Date>;
  revoked_at: Date | null;
  revoked_by: 'researcher' | 'admin' | 'orcid' | null;
  revoked_at_orcid: Date | null;
  /** When the record was last read in full into the collected copy. */
  synced_at: Date | null;
  /** ORCID's last-modified date of the record (ms), as last read; bigint, so a string. */
  record_modified: ColumnType<string | null, number | null, number | null>;
  /** ORCID's last-modified date of each section (ms) as last read. */
  section_modified: ColumnType<Record<string, number>, string | undefined, string>;
  sync_error: string | null;
  /** The record is locked or deactivated at ORCID: the link stays, writes pause. */
  record_state: 'locked' | 'deactivated' | null;
  /** A deprecated record's primary iD. */
  primary_orcid: string | null;
  /** The sync engine's /read-limited token response, sealed with AAD orcid_links/read_token_sealed/{id}. */
  read_token_sealed: string | null;
  /** When the organisation (and the person) were told the grant expires soon. */
  expiry_notified_at: Date | null;
  /** A re-read is wanted from then on (null: none); see migration 0019. */
  sync_due_at: Date | null;
  /** Why the re-read was asked for (connected, webhook, reconcile, …). */
  sync_reason: string | null;
  /** Asked again while a re-read ran: one more follows it. */
  sync_again: Generated<boolean>;
  /** A worker's re-read runs until then. */
  sync_lease_until: Date | null;
  sync_retries: Generated<number>;
}

export interface RecordItemsTable {
  tenant_id: string;
  link_id: string;
  section: string;
  key: string;
  put_code: ColumnType<string | null, number | null, number | null>;
  source_client_id: string | null;
  source_orcid: string | null;
  source_name: string | null;
  own: boolean;
  item_id: string | null;
  visibility: string | null;
  title: string | null;
  organisation: string | null;
  role: string | null;
  department: string | null;
  start_date: string | null;
  end_date: string | null;
  type: string | null;
  value: string | null;
  external_ids: ColumnType<unknown, string, string>;
  document: ColumnType<unknown, string, string>;
  content_hash: string;
  last_modified: Date | null;
  collected_at: Generated<Date>;
}

export interface RecordChangesTable {
  id: Generated<string>;
  tenant_id: string;
  person_id: string;
  link_id: string | null;
  orcid: string;
  kind: string;
  section: string | null;
  put_code: ColumnType<string | null, number | null | undefined, number | null>;
  own: Generated<boolean>;
  item_id: string | null;
  detail: ColumnType<unknown, string | null | undefined, string | null>;
  at: Generated<Date>;
}

export interface WebhookSubscriptionsTable {
  id: Generated<string>;
  tenant_id: string;
  link_id: string;
  orcid: string;
  token_hash: string;
  /** Sealed with AAD webhook_subscriptions/callback_sealed/{id}. */
  callback_sealed: string;
  status: 'pending' | 'registered' | 'ending' | 'ended';
  registered_at: Date | null;
  ended_at: Date | null;
  error: string | null;
  created_at: Generated<Date>;
}

export interface EventEndpointsTable {
  id: string;
  tenant_id: string;
  url: string;
  event_types: string[];
  description: string | null;
  secret_sealed: string;
  enabled: Generated<boolean>;
  created_at: Generated<Date>;
}

export interface EventDeliveriesTable {
  id: Generated<string>;
  tenant_id: string;
  endpoint_id: string;
  event_id: string;
  event_type: string;
  payload: ColumnType<unknown, string, string>;
  status: 'pending' | 'delivered' | 'failed';
  attempts: Generated<number>;
  last_status: number | null;
  last_error: string | null;
  created_at: Generated<Date>;
  delivered_at: Date | null;
}

export interface EventAttemptsTable {
  id: Generated<string>;
  tenant_id: string;
  delivery_id: string;
  at: Generated<Date>;
  http_status: number | null;
  error: string | null;
  duration_ms: number;
}

export interface OauthStatesTable {
  state_hash: string;
  tenant_id: string;
  person_id: string;
  session_hash: string;
  nonce: string | null;
  scope: string;
  created_at: Generated<Date>;
  expires_at: Timestamp;
  used_at: Date | null;
  /** session: started in the portal, bound to that browser session; orcid_inbox: sent in a permission request (migration 0027). */
  origin: Generated<'session' | 'orcid_inbox'>;
  /** The grant must be for this iD (the one the inbox request went to). */
  expected_orcid: string | null;
}

export interface OrcidInboxRequestsTable {
  id: Generated<string>;
  tenant_id: string;
  person_id: string;
  orcid: string;
  /** ORCID's put code of the notification, once posted. */
  put_code: ColumnType<string | null, number | null, number | null>;
  actor: string;
  created_at: Generated<Date>;
  sent_at: Date | null;
  last_error: string | null;
}

export interface RecordSnapshotsTable {
  id: Generated<string>;
  tenant_id: string;
  person_id: string;
  orcid: string;
  kind: string;
  document: ColumnType<unknown, string, string>;
  summary: ColumnType<RecordSummary | null, string | null, string | null>;
  read_at: Generated<Date>;
}

export interface SessionsTable {
  id_hash: string;
  data: ColumnType<Record<string, unknown>, string, string>;
  expires_at: Timestamp;
}

export interface SamlRequestsTable {
  id: string;
  value: string;
  created_at: Generated<Date>;
}

export interface DirectoryAccountsTable {
  id: Generated<string>;
  tenant_id: string;
  username: string;
  password_hash: string;
  attributes: ColumnType<PersonAttributes, string, string>;
}

export interface OrcidAuthorizationsTable {
  id: Generated<string>;
  tenant_id: string;
  person_id: string | null;
  outcome: string;
  orcid: string | null;
  scope: string | null;
  detail: string | null;
  created_at: Generated<Date>;
}

export interface AuditLogTable {
  id: Generated<string>;
  tenant_id: string | null;
  actor: string;
  action: string;
  subject: string | null;
  details: ColumnType<Record<string, unknown>, string | undefined, string>;
  created_at: Generated<Date>;
}

export interface ItemsTable {
  id: Generated<string>;
  tenant_id: string;
  person_id: string;
  section: string;
  source_key: string;
  payload: ColumnType<Record<string, unknown>, string, string>;
  content_hash: string;
  desired_state: 'present' | 'absent';
  /** bigint: pg returns it as a string. */
  put_code: ColumnType<string | null, number | null | undefined, number | null>;
  /** The iD of the record the put code belongs to. */
  put_code_orcid: string | null;
  written_hash: string | null;
  group_id: string | null;
  status: ItemStatus;
  status_detail: string | null;
  attempts: Generated<number>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  written_at: Date | null;
  lease_token: string | null;
  lease_until: Date | null;
  /** Write attempts that took the item (see migration 0007). */
  claims: Generated<number>;
  /** When a worker may take it next (migration 0019: claims, leases, backoff, priority). */
  ready_at: Generated<Date>;
  /** Retries after transient failures since the last settled attempt. */
  retries: Generated<number>;
}

export interface ItemEventsTable {
  id: Generated<string>;
  tenant_id: string;
  item_id: string;
  action: string;
  status: string;
  put_code: ColumnType<string | null, number | null | undefined, number | null>;
  http_status: number | null;
  error_code: number | null;
  message: string | null;
  created_at: Generated<Date>;
}

export interface ApiKeysTable {
  id: Generated<string>;
  tenant_id: string;
  name: string;
  prefix: string;
  key_hash: string;
  created_at: Generated<Date>;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

export interface UploadsTable {
  id: Generated<string>;
  tenant_id: string;
  format: 'affiliations-csv' | 'items-json';
  filename: string;
  uploaded_by: string;
  row_count: Generated<number>;
  created_at: Generated<Date>;
  state: ColumnType<UploadState, UploadState | undefined, UploadState>;
  /** bigint: pg returns it as a string. */
  file_bytes: ColumnType<string, number | undefined, number>;
  rows_checked: Generated<number>;
  rows_stated: Generated<number>;
  problem_count: Generated<number>;
  problems: ColumnType<UploadProblemJson[], string | undefined, string>;
  finished_at: Date | null;
}

/** received (the file is stored) → checking → stating → accepted | refused | failed. */
export type { UploadState };

export interface UploadProblemJson {
  row: number | null;
  column: string | null;
  message: string;
}

export interface UploadFileChunksTable {
  upload_id: string;
  tenant_id: string;
  seq: number;
  bytes: Buffer;
}

/** Up to 1,000 rows of an upload: their numbers, source keys and the rows as uploaded, in the same order. */
export interface UploadRowPagesTable {
  upload_id: string;
  tenant_id: string;
  first_row: number;
  row_numbers: number[];
  source_keys: string[];
  rows: ColumnType<Array<Record<string, unknown>>, string, string>;
}

export interface AdminUsersTable {
  tenant_id: string;
  local_id: string;
  role: 'admin';
  granted_by: string;
  granted_at: Generated<Date>;
}

/** Operators of the installation (beside LANYARD_OPERATORS); a password only in the demo. */
export interface OperatorsTable {
  email: string;
  granted_by: string;
  granted_at: Generated<Date>;
  password_hash: string | null;
}

/** An organisation's administrator invited by mail: single use, until expires_at. */
export interface AdminInvitationsTable {
  id: Generated<string>;
  tenant_id: string;
  email: string;
  /** SHA-256 of the link's token: what a visit is looked up by. */
  token_hash: Buffer;
  /** The token, sealed with AAD admin_invitations/token_sealed/{id}, until the mail is sent. */
  token_sealed: string;
  invited_by: string;
  created_at: Generated<Date>;
  expires_at: Date;
  sent_at: Date | null;
  last_error: string | null;
  accepted_at: Date | null;
}

export interface InvitationsTable {
  id: Generated<string>;
  tenant_id: string;
  person_id: string;
  email: string;
  /** connect: items wait for the person; reconsent: they revoked the organisation at ORCID. */
  kind: Generated<'connect' | 'reconsent' | 'renewal' | 'primary'>;
  created_at: Generated<Date>;
  sent_at: Date | null;
  last_error: string | null;
  /** Reminders sent since the first invitation (migration 0025). */
  reminders_sent: Generated<number>;
}

export interface MailOutboxTable {
  id: Generated<string>;
  tenant_id: string;
  to_address: string;
  subject: string;
  text_body: string;
  html_body: string;
  created_at: Generated<Date>;
  sent_at: Date | null;
  message_id: string | null;
}

export interface Database {
  tenants: TenantsTable;
  orcid_calls: OrcidCallsTable;
  call_log_shares: CallLogSharesTable;
  orcid_rate_limits: OrcidRateLimitsTable;
  people: PeopleTable;
  orcid_links: OrcidLinksTable;
  oauth_states: OauthStatesTable;
  orcid_inbox_requests: OrcidInboxRequestsTable;
  record_snapshots: RecordSnapshotsTable;
  record_items: RecordItemsTable;
  record_changes: RecordChangesTable;
  webhook_subscriptions: WebhookSubscriptionsTable;
  event_endpoints: EventEndpointsTable;
  event_deliveries: EventDeliveriesTable;
  event_attempts: EventAttemptsTable;
  sessions: SessionsTable;
  directory_accounts: DirectoryAccountsTable;
  saml_requests: SamlRequestsTable;
  items: ItemsTable;
  item_events: ItemEventsTable;
  api_keys: ApiKeysTable;
  orcid_authorizations: OrcidAuthorizationsTable;
  audit_log: AuditLogTable;
  uploads: UploadsTable;
  upload_row_pages: UploadRowPagesTable;
  upload_file_chunks: UploadFileChunksTable;
  admin_users: AdminUsersTable;
  invitations: InvitationsTable;
  mail_outbox: MailOutboxTable;
  operators: OperatorsTable;
  admin_invitations: AdminInvitationsTable;
  worker_processes: WorkerProcessesTable;
}

/** A worker process's last sign of life. */
export interface WorkerProcessesTable {
  id: string;
  host: string;
  pid: number;
  started_at: Date;
  seen_at: Date;
}
