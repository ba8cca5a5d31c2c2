// The events Lanyard sends to the organisation's systems (docs/sync.md has example payloads).
// Framework-free.

export const EVENT_TYPES = [
  'person.connected',
  'person.disconnected',
  'link.revoked',
  'link.expiring',
  'link.expired',
  'record.changed',
  'item.status_changed',
  'upload.finished',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const isEventType = (v: string): v is EventType => (EVENT_TYPES as readonly string[]).includes(v);

/** The body of an event, as Standard Webhooks suggests: its type, when, and its data. */
export interface EventBody {
  type: EventType;
  timestamp: string;
  data: Record<string, unknown>;
}
