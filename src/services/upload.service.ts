// Bulk uploads (admin area and `lanyard import`). The web only stores the file (receive) and
// queues its stating; a worker's job reads it as a stream, checks every row into the staging table
// (rows checked, problems so far), and, if no row has a problem, states all of them in one
// transaction with set-based statements (rows stated). An upload is accepted or refused as one
// unit: a refused file changes nothing. Writes are queued and invitations sent after it commits.
import type { Kysely } from 'kysely';
import type { KeyRing } from '../crypto/key-ring.js';
import { ItemRepository } from '../db/item.repository.js';
import { OrcidLinkRepository } from '../db/orcid-link.repository.js';
import { type PersonRecord, PersonRepository } from '../db/person.repository.js';
import type { Database } from '../db/schema.js';
import { type Upload, UploadRepository } from '../db/upload.repository.js';
import { type StagedRow, UploadStagingRepository } from '../db/upload-staging.repository.js';
import { affiliationsCsv, readAffiliationsCsv } from '../domain/affiliation-csv.js';
import { contentHash } from '../domain/item.js';
import { parseItemsJson } from '../domain/items-json.js';
import {
  decodeUploadStream,
  MAX_UPLOAD_BYTES,
  tooLarge,
  type UploadProblem,
  UploadRefused,
} from '../domain/upload-file.js';
import type { ItemWriteQueue } from '../jobs/write-item.job.js';
import { checkItem, loadPayloadChecks } from '../orcid/payload-check.js';
import { redactText } from '../orcid/redact.js';
import { ItemIntakeService, type PersonInviter } from './item-intake.service.js';

export type UploadFormat = Upload['format'];

/** Queues the stating of a received upload (a job on a worker). */
export interface UploadStatingQueue {
  enqueueStating(tenantId: string, uploadId: string): Promise<void>;
}

export interface UploadServiceDeps {
  db: Kysely<Database>;
  ring: KeyRing;
  writes: ItemWriteQueue;
  stating: UploadStatingQueue;
  invitations?: PersonInviter;
}

/** The file is stored in pieces of this size. */
const CHUNK_BYTES = 1024 * 1024;
/** Rows staged per statement while checking. */
const STAGE_BATCH = 2000;
/** Rows stated per statement (the progress counter moves once per range). */
const STATE_RANGE = 25_000;
/** Problems kept to show; all are counted. */
const PROBLEMS_SHOWN = 1000;
/** How often the counters are written while checking. */
const PROGRESS_MS = 250;

/** A row checked: what it states, or its problems. */
interface CheckedRow {
  staged: StagedRow;
  problems: UploadProblem[];
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

  /**
   * Stores the file as it arrives (never whole in memory) and queues its checking; throws
   * UploadRefused (and keeps nothing) when it passes the size limit.
   */
  async receive(
    tenantId: string,
    file: {
      format: UploadFormat;
      filename: string;
      content: AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
    },
    uploadedBy: string,
  ): Promise<Upload> {
    const upload = await this.uploads.receive(tenantId, { ...file, uploadedBy });
    let size = 0;
    try {
      let seq = 0;
      let pieces: Buffer[] = [];
      let pending = 0;
      const flush = async () => {
        if (!pending) return;
        await this.uploads.addChunk(tenantId, upload.id, seq++, Buffer.concat(pieces));
        pieces = [];
        pending = 0;
      };
      for await (const piece of file.content) {
        size += piece.byteLength;
        if (size > MAX_UPLOAD_BYTES) throw tooLarge(size);
        pieces.push(Buffer.from(piece));
        pending += piece.byteLength;
        if (pending >= CHUNK_BYTES) await flush();
      }
      await flush();
      await this.uploads.update(tenantId, upload.id, { file_bytes: size });
    } catch (e) {
      await this.uploads.remove(tenantId, upload.id);
      throw e;
    }
    await this.d.stating.enqueueStating(tenantId, upload.id);
    return { ...upload, file_bytes: String(size) };
  }

  /**
   * The job: checks and states a received upload. A file with problems ends refused (nothing
   * stated); an error other than the file's is thrown for the job to retry, and on the last
   * attempt ends the upload as failed (nothing stated either).
   */
  async state(tenantId: string, uploadId: string, options: { finalAttempt: boolean }): Promise<void> {
    const upload = await this.uploads.byId(tenantId, uploadId);
    if (!upload || ['accepted', 'refused', 'failed'].includes(upload.state)) return;
    try {
      const checked = await this.check(tenantId, upload);
      if (checked.problemCount) return await this.refuse(tenantId, uploadId, checked);
      await this.stateStaged(tenantId, upload);
    } catch (e) {
      if (e instanceof UploadRefused)
        return this.refuse(tenantId, uploadId, { problemCount: e.problems.length, problems: e.problems });
      if (!options.finalAttempt) throw e;
      await this.uploads.update(tenantId, uploadId, {
        state: 'failed',
        finished_at: new Date(),
        problem_count: 1,
        problems: [
          {
            row: null,
            column: null,
            message: `The upload could not be stated (nothing was changed): ${redactText((e as Error).message)}`,
          },
        ],
      });
      await this.uploads.dropScratch(tenantId, uploadId);
    }
  }

  private async refuse(
    tenantId: string,
    uploadId: string,
    r: { problemCount: number; problems: UploadProblem[] },
  ): Promise<void> {
    await this.uploads.update(tenantId, uploadId, {
      state: 'refused',
      finished_at: new Date(),
      problem_count: r.problemCount,
      problems: r.problems.slice(0, PROBLEMS_SHOWN),
    });
    await this.uploads.dropScratch(tenantId, uploadId);
  }

  /** Reads the file as a stream, stages the rows, and counts the problems (writing progress). */
  private async check(
    tenantId: string,
    upload: Upload,
  ): Promise<{ problemCount: number; problems: UploadProblem[] }> {
    const staging = new UploadStagingRepository(this.d.db);
    await staging.clear(tenantId, upload.id);
    await this.uploads.update(tenantId, upload.id, {
      state: 'checking',
      rows_checked: 0,
      rows_stated: 0,
      problem_count: 0,
      problems: [],
    });
    const text = decodeUploadStream(this.uploads.file(tenantId, upload.id));
    const rows = upload.format === 'affiliations-csv' ? csvRows(text) : jsonRows(text);
    const problems: UploadProblem[] = [];
    let problemCount = 0;
    let checked = 0;
    let batch: StagedRow[] = [];
    let reported = Date.now();
    const report = () =>
      this.uploads.update(tenantId, upload.id, {
        rows_checked: checked,
        problem_count: problemCount,
        problems: problems.slice(0, PROBLEMS_SHOWN),
      });
    const stage = async () => {
      // Once a row has a problem the file will be refused: the rest is only checked.
      if (!problemCount) await staging.add(tenantId, upload.id, batch);
      batch = [];
    };
    for await (const r of rows) {
      checked += 1;
      if (r.problems.length) {
        problemCount += r.problems.length;
        if (problems.length < PROBLEMS_SHOWN) problems.push(...r.problems);
      } else if (!problemCount) batch.push(r.staged);
      if (batch.length >= STAGE_BATCH) await stage();
      if (Date.now() - reported >= PROGRESS_MS) {
        await report();
        reported = Date.now();
      }
    }
    await stage();
    if (!problemCount) await staging.analyze();
    if (!problemCount) {
      const repeated = await staging.repeatedKeys(tenantId, upload.id, PROBLEMS_SHOWN);
      problemCount += repeated.count;
      problems.push(...repeated.problems);
    }
    if (!problemCount) {
      const taken = await staging.keysOfOthers(tenantId, upload.id, PROBLEMS_SHOWN);
      problemCount += taken.length;
      problems.push(...taken);
    }
    await report();
    return { problemCount, problems };
  }

  /** States every staged row in one transaction; queues the writes and invitations after it. */
  private async stateStaged(tenantId: string, upload: Upload): Promise<void> {
    await this.uploads.update(tenantId, upload.id, { state: 'stating' });
    const queued: string[] = [];
    const pending = new Set<string>();
    await this.d.db.transaction().execute(async (trx) => {
      const staging = new UploadStagingRepository(trx);
      const last = await staging.lastRow(tenantId, upload.id);
      await staging.statePeople(tenantId, upload.id);
      let stated = 0;
      for (let from = 0; from <= last; from += STATE_RANGE) {
        const r = await staging.stateItems(tenantId, upload.id, { from, to: from + STATE_RANGE - 1 });
        if (r.stated < r.staged) {
          // Taken for someone else since the check (the API, another upload): refused whole.
          const taken = await staging.keysOfOthers(tenantId, upload.id, PROBLEMS_SHOWN);
          throw new UploadRefused(
            taken.length
              ? taken
              : [
                  {
                    row: null,
                    column: null,
                    message: 'Items of the file changed hands while it was stated.',
                  },
                ],
          );
        }
        stated += r.stated;
        for (const id of r.pendingPeople) pending.add(id);
        // On the pool, not in the transaction: the page sees it at once.
        await this.uploads.update(tenantId, upload.id, { rows_stated: stated });
      }
      await this.endLeavers(trx, tenantId, upload.id, queued, pending);
      const done = new UploadRepository(trx);
      await done.update(tenantId, upload.id, {
        state: 'accepted',
        row_count: stated,
        finished_at: new Date(),
      });
      await done.dropScratch(tenantId, upload.id);
    });
    for (let after = 0; after >= 0; ) {
      const page = await this.uploads.queuedItems(tenantId, upload.id, after, 10_000);
      await this.d.writes.enqueueWrites(tenantId, page.itemIds);
      after = page.next;
    }
    await this.d.writes.enqueueWrites(tenantId, queued);
    await this.d.invitations?.invite(tenantId, [...pending]);
  }

  /** End-dates the employments of the people the file says have left (this file's included). */
  private async endLeavers(
    trx: Kysely<Database>,
    tenantId: string,
    uploadId: string,
    queued: string[],
    pending: Set<string>,
  ): Promise<void> {
    const leavers = await new UploadStagingRepository(trx).leavers(tenantId, uploadId);
    if (!leavers.length) return;
    const people = new PersonRepository(trx);
    const intake = new ItemIntakeService({
      people,
      items: new ItemRepository(trx),
      links: new OrcidLinkRepository(trx, this.d.ring),
      writes: { enqueueWrites: async (_t, ids) => void queued.push(...ids) },
      invitations: {
        invite: async (_t, ids) => {
          for (const id of ids) pending.add(id);
        },
      },
    });
    for (const { localId, leftOn } of leavers) {
      const existing = await people.byLocalId(tenantId, localId);
      await intake.statePerson(tenantId, localId, {
        ...personRecordOf(existing),
        employment: { status: 'left', start: existing?.employment_start ?? undefined, end: leftOn },
      });
    }
  }

  list(tenantId: string): Promise<Upload[]> {
    return this.uploads.list(tenantId);
  }

  byId(tenantId: string, id: string): Promise<Upload | undefined> {
    return this.uploads.byId(tenantId, id);
  }

  progress(tenantId: string, upload: Upload) {
    return this.uploads.progress(tenantId, upload);
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

/** The affiliations CSV's rows, checked, as they are read. */
async function* csvRows(text: AsyncIterable<string>): AsyncGenerator<CheckedRow> {
  for await (const { affiliation: r, problems } of readAffiliationsCsv(text))
    yield {
      problems,
      staged: {
        row: r.row,
        localId: r.values.local_id,
        email: r.person.email,
        givenNames: r.person.givenNames,
        familyName: r.person.familyName,
        leftOn: r.leftOn,
        section: r.section,
        sourceKey: r.values.source_key,
        payload: r.payload,
        contentHash: contentHash(r.payload),
        desired: r.desired,
        stored: r.values,
        keyColumn: 'source_key',
      },
    };
}

/**
 * The items JSON's rows. JSON is read whole (on the worker, within the upload limit): its items
 * are checked together, and a file with a problem throws UploadRefused with all of them.
 */
async function* jsonRows(text: AsyncIterable<string>): AsyncGenerator<CheckedRow> {
  let whole = '';
  for await (const piece of text) whole += piece;
  await loadPayloadChecks();
  for (const { row, item } of parseItemsJson(whole, (section, payload) => checkItem(section, payload))) {
    const { putCode: _p, status: _s, statusDetail: _d, ...stored } = item;
    yield {
      problems: [],
      staged: {
        row,
        localId: item.localId,
        email: item.person?.email,
        givenNames: item.person?.givenNames,
        familyName: item.person?.familyName,
        section: item.section,
        sourceKey: item.sourceKey,
        payload: item.payload,
        contentHash: contentHash(item.payload),
        groupId: item.groupId,
        desired: item.action === 'delete' ? 'absent' : 'present',
        stored,
        keyColumn: `items[${row - 1}].sourceKey`,
      },
    };
  }
}
