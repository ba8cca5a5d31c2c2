// The rows the repositories answer with, as the layers above read them (views, routes): data only.
// The web imports these, never a repository module.

export type { AdminInvitation } from './admin-invitation.repository.js';
export type { LinkedPerson, RecordChangeRow } from './collected-record.repository.js';
export type { EventEndpoint } from './event.repository.js';
export type { Item } from './item.repository.js';
export type { DisplayedId, OrcidLink } from './orcid-link.repository.js';
export type { Person } from './person.repository.js';
export type { PortalView, WrittenItem } from './portal-view.repository.js';
export type { NewTenant, OrgIdentity, Tenant } from './tenant.repository.js';
export type { Upload, UploadProgress } from './upload.repository.js';
