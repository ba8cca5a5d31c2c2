// What the services need from the world outside them, as interfaces: the queues their follow-up
// work goes to, and mail. The jobs (src/jobs/index.ts), the container and the mail module
// implement them; services import only these, never a job, the queue or a framework
// (docs/architecture.md).

import type { EventType } from '../domain/events.js';

/**
 * Writes of items to ORCID, done by the workers' scheduler. An item stored as `queued` is already
 * in the queue (the items table is it); this announces it so that workers take it at once.
 */
export interface ItemWriteQueue {
  enqueueWrites(tenantId: string, itemIds: string[]): Promise<void>;
}

/** The checking and stating of a received upload, done by the worker. */
export interface UploadStatingQueue {
  enqueueStating(tenantId: string, uploadId: string): Promise<void>;
}

/** Revocations at ORCID of ended links' tokens that could not be revoked at once, with retries. */
export interface RevocationQueue {
  enqueueRevocation(tenantId: string, linkId: string): Promise<void>;
}

/** Invitation mail, sent by the worker. */
export interface InvitationMailQueue {
  enqueueInvitation(tenantId: string, invitationId: string): Promise<void>;
}

/** Re-reads of a connected record into the collected copy, coalesced per link. */
export interface RecordSyncQueue {
  /**
   * Resolves once queued (nothing is added while a re-read of the link waits). `delaySeconds`:
   * not before then (reconciliation spreads its reads).
   */
  enqueueSync(tenantId: string, linkId: string, reason: string, delaySeconds?: number): Promise<void>;
}

/** ORCID webhook registrations and unregistrations of links, done by the worker. */
export interface WebhookQueue {
  enqueueWebhook(tenantId: string, linkId: string, action: 'subscribe' | 'unsubscribe'): Promise<void>;
}

/** Deliveries of events to the organisation's endpoints, with retries, done by the worker. */
export interface EventDeliveryQueue {
  enqueueDeliveries(tenantId: string, deliveryIds: string[]): Promise<void>;
}

/** Asking a person's consent again (services/invitation.service.ts). */
export interface ReconsentInviter {
  /** After they revoked the organisation at ORCID (at most once every 90 days). */
  inviteAgain(tenantId: string, personId: string): Promise<void>;
  /** After ORCID merged their record into a primary one: connect that one. */
  inviteToPrimary(tenantId: string, personId: string): Promise<void>;
}

/** The queues whose work is sent as jobs (src/jobs/index.ts). */
export interface JobQueuePorts {
  uploadStating: UploadStatingQueue;
  revocations: RevocationQueue;
  invitationMail: InvitationMailQueue;
  webhooks: WebhookQueue;
  events: EventDeliveryQueue;
  adminInvitationMail: AdminInvitationMailQueue;
  organisationDeletions: OrganisationDeletionQueue;
}

/** Every queue a service may send work to: the jobs, and the ORCID work the scheduler claims. */
export interface QueuePorts extends JobQueuePorts {
  writes: ItemWriteQueue;
  recordSync: RecordSyncQueue;
}

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface Mailer {
  send(message: MailMessage): Promise<{ messageId: string }>;
  close(): void;
}

/** Events to the organisation's systems (services/events.service.ts implements it). */
export interface EventPublisher {
  /**
   * Sends the event to the tenant's endpoints that take it; `personId` adds the person's local
   * id to its data. Never throws: an event that cannot be queued is logged.
   */
  publish(tenantId: string, type: EventType, data: Record<string, unknown>, personId?: string): Promise<void>;
}

/** Requests to addresses an organisation gives, through the SSRF guard (src/outbound/). */
export interface EventSender {
  /** Throws (OutboundRefused) when the URL may not be sent to, saying why. */
  check(url: string): Promise<void>;
  /** POSTs the body; throws when nothing was answered (refused, unreachable, timed out). */
  send(url: string, headers: Record<string, string>, body: string): Promise<{ status: number }>;
}

/** Reads a document at a URL an organisation gave, through the SSRF guard (throws saying why not). */
export interface DocumentFetcher {
  fetchText(url: string): Promise<string>;
}

/** Sends the mail of an administrator's invitation (a job, retried while SMTP is away). */
export interface AdminInvitationMailQueue {
  enqueueAdminInvitation(invitationId: string): Promise<void>;
}

/** Starts an organisation's deletion in the worker (revoking its tokens can take long). */
export interface OrganisationDeletionQueue {
  enqueueDeletion(tenantId: string, actor: string): Promise<void>;
}
