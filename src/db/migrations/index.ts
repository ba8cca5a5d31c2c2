// Forward-only migrations, in order. A migration is never edited once it has landed.
import type { Migration } from 'kysely';
import * as m0001 from './0001-core.js';
import * as m0002 from './0002-tenant-wire-format.js';
import * as m0003 from './0003-portal.js';
import * as m0004 from './0004-items.js';
import * as m0005 from './0005-api-keys.js';
import * as m0006 from './0006-uploads-admins-mail.js';
import * as m0007 from './0007-put-code-orcid.js';
import * as m0008 from './0008-upload-jobs.js';
import * as m0009 from './0009-upload-row-pages.js';
import * as m0010 from './0010-items-waiting-index.js';
import * as m0011 from './0011-upload-chunks-uncompressed.js';
import * as m0012 from './0012-upload-row-pages-keys.js';
import * as m0013 from './0013-collected-record.js';
import * as m0014 from './0014-webhooks.js';
import * as m0015 from './0015-link-record-states.js';
import * as m0016 from './0016-events.js';
import * as m0017 from './0017-reconsent-invitations.js';
import * as m0018 from './0018-token-health.js';
import * as m0019 from './0019-orcid-work-scheduling.js';
import * as m0020 from './0020-call-log-retention-index.js';
import * as m0021 from './0021-items-person-check-per-statement.js';
import * as m0022 from './0022-console-people.js';
import * as m0023 from './0023-call-log-console.js';
import * as m0024 from './0024-token-export-setting.js';
import * as m0025 from './0025-invitation-reminders.js';
import * as m0026 from './0026-invitation-templates.js';
import * as m0027 from './0027-orcid-inbox-requests.js';
import * as m0028 from './0028-operators.js';

export const MIGRATIONS: Record<string, Migration> = {
  '0001-core': m0001,
  '0002-tenant-wire-format': m0002,
  '0003-portal': m0003,
  '0004-items': m0004,
  '0005-api-keys': m0005,
  '0006-uploads-admins-mail': m0006,
  '0007-put-code-orcid': m0007,
  '0008-upload-jobs': m0008,
  '0009-upload-row-pages': m0009,
  '0010-items-waiting-index': m0010,
  '0011-upload-chunks-uncompressed': m0011,
  '0012-upload-row-pages-keys': m0012,
  '0013-collected-record': m0013,
  '0014-webhooks': m0014,
  '0015-link-record-states': m0015,
  '0016-events': m0016,
  '0017-reconsent-invitations': m0017,
  '0018-token-health': m0018,
  '0019-orcid-work-scheduling': m0019,
  '0020-call-log-retention-index': m0020,
  '0021-items-person-check-per-statement': m0021,
  '0022-console-people': m0022,
  '0023-call-log-console': m0023,
  '0024-token-export-setting': m0024,
  '0025-invitation-reminders': m0025,
  '0026-invitation-templates': m0026,
  '0027-orcid-inbox-requests': m0027,
  '0028-operators': m0028,
};
