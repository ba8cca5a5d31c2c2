// Bulk uploads (admin area and `lanyard import`): the file is checked whole, then every row is
// stated in one transaction, so an upload is accepted or refused as one unit. Writes are queued
// and invitations sent only after it commits.
import type { Kysely } from 'kysely';
import type { KeyRing } from '../crypto/key-ring.js';
import { ItemOfAnotherPerson, ItemRepository } from '../db/item.repository.js';
import { OrcidLinkRepository } from '../db/orcid-link.repository.js';
import { type PersonRecord, PersonRepository } from '../db/person.repository.js';
import type { Database } from '../db/schema.js';
import { type Upload, UploadRepository } from '../db/upload.repository.js';
import { affiliationsCsv, parseAffiliationsCsv } from '../domain/affiliation-csv.js';
import { parseItemsJson } from '../domain/items-json.js';
import { decodeUpload, type UploadProblem, UploadRefused } from '../domain/upload-file.js';
import type { ItemWriteQueue } from '../jobs/write-item.job.js';
import { checkItem } from '../orcid/payload-check.js';
import { ItemIntakeService, type PersonInviter } from './item-intake.service.js';

export type UploadFormat = Upload['format'];

/** One row of any upload, as the intake states it. */
interface UploadRow {
  row: number;
  localId: string;
  person: { email?: string; givenNames?: string; familyName?: string };
  leftOn?: string;
  item: { section: string; sourceKey: string; payload: Record<string, unknown>; groupId?: string };
  desired: 'present' | 'absent';
  /** What the export writes back (the row as uploaded, normalised). */
  stored: Record<string, unknown>;
  /** Where a problem with the source key is reported. */
  keyColumn: string;
}

export interface UploadServiceDeps {
  db: Kysely<Database>;
  ring: KeyRing;
  writes: ItemWriteQueue;
  invitations?: PersonInviter;
}

export class UploadService {
  private readonly uploads: UploadRepository;

  constructor(private readonly d: UploadServiceDeps) {
    this.uploads = new UploadRepository(d.db);
  }

  /** Format from the file name: .csv is the affiliations CSV, .json the items JSON. */
  static formatOf(filename: string): UploadFormat | null {
    if (/\.csv$/i.test(filename)) return 'affiliations-csv';
    if (/\.json$/i.test(filename)) return 'items-json';
    return null;
  }

  /** Checks and states the whole file; throws UploadRefused (nothing stated) with every problem. */
  async accept(
    tenantId: string,
    file: { format: UploadFormat; filename: string; bytes: Uint8Array },
    uploadedBy: string,
  ): Promise<Upload> {
    const rows = this.parse(file.format, decodeUpload(file.bytes));
    const queued: string[] = [];
    const pending = new Set<string>();
    const state = () =>
      this.d.db
        .transaction()
        .execute((trx) => this.state(trx, tenantId, file, uploadedBy, rows, queued, pending));
    let upload: Upload;
    try {
      upload = await state();
    } catch (e) {
      // The same items arrived at the same moment from elsewhere (another upload, the API):
      // this transaction lost the race on a new source key; once more, they are updates.
      if ((e as { code?: string }).code !== '23505') throw e;
      queued.length = 0;
      pending.clear();
      upload = await state();
    }
    await this.d.writes.enqueueWrites(tenantId, queued);
    await this.d.invitations?.invite(tenantId, [...pending]);
    return upload;
  }

  private parse(format: UploadFormat, text: string): UploadRow[] {
    if (format === 'affiliations-csv')
      return parseAffiliationsCsv(text).map((r) => ({
        row: r.row,
        localId: r.values.local_id,
        person: r.person,
        leftOn: r.leftOn,
        item: { section: r.section, sourceKey: r.values.source_key, payload: r.payload },
        desired: r.desired,
        stored: r.values,
        keyColumn: 'source_key',
      }));
    return parseItemsJson(text, (section, payload) => checkItem(section, payload)).map(({ row, item }) => {
      const { putCode: _p, status: _s, statusDetail: _d, ...stored } = item;
      return {
        row,
        localId: item.localId,
        person: item.person ?? {},
        item: {
          section: item.section,
          sourceKey: item.sourceKey,
          payload: item.payload,
          groupId: item.groupId,
        },
        desired: item.action === 'delete' ? 'absent' : 'present',
        stored,
        keyColumn: `items[${row - 1}].sourceKey`,
      };
    });
  }

  private async state(
    trx: Kysely<Database>,
    tenantId: string,
    file: { format: UploadFormat; filename: string },
    uploadedBy: string,
    rows: UploadRow[],
    queued: string[],
    pending: Set<string>,
  ): Promise<Upload> {
    const people = new PersonRepository(trx);
    const items = new ItemRepository(trx);
    const links = new OrcidLinkRepository(trx, this.d.ring);
    // For leavers (end-dating their employments); rows are stated directly below.
    const intake = new ItemIntakeService({
      people,
      items,
      links,
      writes: { enqueueWrites: async (_t, ids) => void queued.push(...ids) },
      invitations: {
        invite: async (_t, ids) => {
          for (const id of ids) pending.add(id);
        },
      },
    });

    // People first: new ones are created, known ones keep what the file does not say.
    const byPerson = new Map<string, UploadRow[]>();
    for (const r of rows) {
      const own = byPerson.get(r.localId) ?? [];
      own.push(r);
      byPerson.set(r.localId, own);
    }
    // Each person once: their id and whether they are connected serve all their rows.
    const personOf = new Map<string, { id: string; connected: boolean }>();
    for (const [localId, own] of byPerson) {
      const existing = await people.byLocalId(tenantId, localId);
      const said = Object.assign({}, ...own.map((r) => r.person)) as UploadRow['person'];
      const person =
        existing && !said.email && !said.givenNames && !said.familyName
          ? existing
          : await people.upsertByLocalId(tenantId, localId, { ...personRecordOf(existing), ...said });
      personOf.set(localId, {
        id: person.id,
        connected: (await links.activeFor(tenantId, person.id)) !== undefined,
      });
    }

    const problems: UploadProblem[] = [];
    const owners = await this.ownersOf(
      trx,
      tenantId,
      rows.map((r) => r.item.sourceKey),
    );
    for (const r of rows) {
      const owner = owners.get(r.item.sourceKey);
      if (owner !== undefined && owner !== r.localId)
        problems.push({
          row: r.row,
          column: r.keyColumn,
          message: `${r.item.sourceKey} already belongs to another person (${owner}).`,
        });
    }
    if (problems.length) throw new UploadRefused(problems);

    const stated: Array<{ rowNumber: number; itemId: string; row: Record<string, unknown> }> = [];
    for (const r of rows) {
      // Owners were checked above, so the item is stated directly (ItemIntakeService.stateItem
      // would look the person, the owner and the link up again for every row).
      const person = personOf.get(r.localId)!;
      const { item, queued: isQueued } = await items
        .upsert(tenantId, person.id, { ...r.item, desired: r.desired }, person.connected)
        .catch((e: unknown) => {
          // Taken for someone else since the check above (the API, another upload): refused whole.
          if (!(e instanceof ItemOfAnotherPerson)) throw e;
          throw new UploadRefused([{ row: r.row, column: r.keyColumn, message: `${e.message}.` }]);
        });
      if (isQueued) queued.push(item.id);
      else if (item.status === 'pending') pending.add(person.id);
      stated.push({ rowNumber: r.row, itemId: item.id, row: r.stored });
    }
    // Leavers last, so the employments this file states are end-dated too.
    for (const [localId, own] of byPerson) {
      const leftOn = own.find((r) => r.leftOn)?.leftOn;
      if (!leftOn) continue;
      const existing = await people.byLocalId(tenantId, localId);
      await intake.statePerson(tenantId, localId, {
        ...personRecordOf(existing),
        employment: { status: 'left', start: existing?.employment_start ?? undefined, end: leftOn },
      });
    }
    return new UploadRepository(trx).create(tenantId, { ...file, uploadedBy }, stated);
  }

  /** Who each source key belongs to now (local id), for the keys that exist. */
  private async ownersOf(
    trx: Kysely<Database>,
    tenantId: string,
    keys: string[],
  ): Promise<Map<string, string>> {
    const owners = new Map<string, string>();
    for (let i = 0; i < keys.length; i += 5000) {
      const found = await trx
        .selectFrom('items as i')
        .innerJoin('people as p', 'p.id', 'i.person_id')
        .select(['i.source_key', 'p.local_id'])
        .where('i.tenant_id', '=', tenantId)
        .where('i.source_key', 'in', keys.slice(i, i + 5000))
        .execute();
      for (const f of found) owners.set(f.source_key, f.local_id);
    }
    return owners;
  }

  list(tenantId: string): Promise<Upload[]> {
    return this.uploads.list(tenantId);
  }

  byId(tenantId: string, id: string): Promise<Upload | undefined> {
    return this.uploads.byId(tenantId, id);
  }

  progress(tenantId: string, id: string) {
    return this.uploads.progress(tenantId, id);
  }

  /** The upload in its own format with each row's put code and status; uploading it again round-trips. */
  async export(
    tenantId: string,
    upload: Upload,
  ): Promise<{ filename: string; contentType: string; body: string }> {
    const rows = await this.uploads.rows(tenantId, upload.id);
    const base = upload.filename.replace(/\.(csv|json)$/i, '');
    if (upload.format === 'affiliations-csv')
      return {
        filename: `${base}-result.csv`,
        contentType: 'text/csv; charset=utf-8',
        body: affiliationsCsv(
          rows.map((r) => ({
            values: r.row as Record<string, string>,
            putCode: r.put_code,
            status: r.status,
            detail: r.status_detail,
          })),
        ),
      };
    const items = rows.map((r) => ({
      ...r.row,
      putCode: r.put_code === null ? null : Number(r.put_code),
      status: r.status,
      statusDetail: r.status_detail,
    }));
    return {
      filename: `${base}-result.json`,
      contentType: 'application/json; charset=utf-8',
      body: `${JSON.stringify({ items }, null, 2)}\n`,
    };
  }
}

function personRecordOf(p: Awaited<ReturnType<PersonRepository['byLocalId']>>): PersonRecord {
  if (!p) return {};
  return {
    email: p.email ?? undefined,
    eppn: p.eppn ?? undefined,
    employeeId: p.employee_id ?? undefined,
    givenNames: p.given_names ?? undefined,
    familyName: p.family_name ?? undefined,
    employment: p.employment_status
      ? {
          status: p.employment_status,
          start: p.employment_start ?? undefined,
          end: p.employment_end ?? undefined,
        }
      : undefined,
  };
}
