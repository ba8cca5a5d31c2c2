// Bulk uploads (admin area and `lanyard import`). The web only stores the file (receive) and
// queues its stating; a worker's job reads it as a stream and checks every row, stating each
// range of rows as it is checked inside one transaction (rows checked, rows stated, problems so
// far). An upload is accepted or refused as one unit: the transaction commits only if no row has
// a problem, so a refused file changes nothing. Writes are queued and invitations sent after it
// commits.
import { setImmediate } from 'node:timers/promises';
import type { PersonRecord, PersonRepository } from '../db/person.repository.js';
import type { Repositories, UnitOfWork } from '../db/repositories.js';
import type { Upload, UploadRepository } from '../db/upload.repository.js';
import {
  type CheckedUploadRow,
  PAGE_ROWS,
  StatingRange,
  type UploadPerson,
} from '../db/upload-stating.repository.js';
import { affiliationsCsv, duplicateKey, readAffiliationsCsv } from '../domain/affiliation-csv.js';
import { canonicalContent } from '../domain/item.js';
import { parseItemsJson } from '../domain/items-json.js';
import {
  decodeUploadStream,
  MAX_UPLOAD_BYTES,
  tooLarge,
  type UploadProblem,
  UploadRefused,
} from '../domain/upload-file.js';
import { checkItem, loadPayloadChecks } from '../orcid/payload-check.js';
import { redactText } from '../orcid/redact.js';
import { ItemIntakeService, type PersonInviter } from './item-intake.service.js';
import type { EventPublisher, ItemWriteQueue, UploadStatingQueue } from './ports.js';

export type UploadFormat = Upload['format'];

export interface UploadServiceDeps {
  /** On the pool: the counters, the file and the pages are written beside the upload's transaction. */
  repos: Repositories;
  unitOfWork: UnitOfWork;
  writes: ItemWriteQueue;
  stating: UploadStatingQueue;
  invitations?: PersonInviter;
  /** upload.finished goes to the organisation's systems. */
  events?: EventPublisher;
}

/** The file is stored in pieces of this size. */
const CHUNK_BYTES = 1024 * 1024;
/** Rows stated per statement (the rows-stated counter moves once per range). */
const STATE_RANGE = 10_000;
const FIRST_RANGE = 2_000;
/** Rows checked between two turns of the event loop. */
const YIELD_ROWS = 500;
/** Problems kept to show; all are counted. */
const PROBLEMS_SHOWN = 1000;
/** How often the counters are written while checking. */
const PROGRESS_MS = 250;
/** Rows stated after which the items' statistics are refreshed (once per upload). */
const STATISTICS_AFTER_ROWS = 20_000;
/** People an upload remembers having stated (beyond, a person is looked at again by each range). */
const REMEMBERED_PEOPLE = 50_000;

/** A row checked: what it states and says of its person, or its problems. */
interface CheckedRow {
  row: CheckedUploadRow;
  person: UploadPerson;
  leftOn?: string | undefined;
  problems: UploadProblem[];
}

/** What an accepted upload leaves to do once committed. */
interface Accepted {
  /** Items of the upload's rows queued for writing (found again by page after the commit). */
  queuedCount: number;
  /** Other items queued (leavers' end dates). */
  queued: string[];
  /** People whose items wait for them to connect (invited). */
  pending: Set<string>;
  /** The items' statistics were refreshed mid-upload: they count none of its rows until refreshed again. */
  statisticsStale: boolean;
}

/** The file has problems: the transaction that stated it so far rolls back. */
class FileRefused extends Error {
  constructor(
    readonly problemCount: number,
    readonly problems: UploadProblem[],
  ) {
    super(`The file has ${problemCount} problem(s).`);
  }
}

export class UploadService {
  private readonly uploads: UploadRepository;

  constructor(private readonly d: UploadServiceDeps) {
    this.uploads = d.repos.uploads;
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
    await this.d.repos.portalLog.audit({
      tenantId,
      actor: uploadedBy === 'cli' ? 'cli' : `admin:${uploadedBy}`,
      action: 'upload.received',
      subject: upload.id,
      details: { filename: file.filename, format: file.format, bytes: size },
    });
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
    await this.checkAndStateOnce(tenantId, upload, options);
    const ended = await this.uploads.byId(tenantId, uploadId);
    if (ended && ['accepted', 'refused', 'failed'].includes(ended.state))
      await this.d.events?.publish(tenantId, 'upload.finished', {
        uploadId,
        filename: ended.filename,
        state: ended.state,
        rows: ended.row_count,
        rowsStated: ended.rows_stated,
        problems: ended.problem_count,
        finishedAt: ended.finished_at ? new Date(ended.finished_at).toISOString() : null,
      });
  }

  private async checkAndStateOnce(tenantId: string, upload: Upload, options: { finalAttempt: boolean }) {
    const uploadId = upload.id;
    try {
      const accepted = await this.checkAndState(tenantId, upload);
      await this.afterAccepted(tenantId, accepted);
    } catch (e) {
      if (e instanceof FileRefused) return this.refuse(tenantId, uploadId, e);
      if (e instanceof UploadRefused)
        return this.refuse(tenantId, uploadId, { problemCount: e.problems.length, problems: e.problems });
      if (!options.finalAttempt) throw e;
      await this.uploads.update(tenantId, uploadId, {
        state: 'failed',
        rows_stated: 0,
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
      await this.uploads.dropFile(tenantId, uploadId);
      await this.uploads.dropPages(tenantId, uploadId);
    }
  }

  private async refuse(
    tenantId: string,
    uploadId: string,
    r: { problemCount: number; problems: UploadProblem[] },
  ): Promise<void> {
    await this.uploads.update(tenantId, uploadId, {
      state: 'refused',
      rows_stated: 0,
      finished_at: new Date(),
      problem_count: r.problemCount,
      problems: r.problems.slice(0, PROBLEMS_SHOWN),
    });
    await this.uploads.dropFile(tenantId, uploadId);
    await this.uploads.dropPages(tenantId, uploadId);
  }

  /**
   * Reads the file as a stream and checks every row; while no row has a problem, each range of
   * rows is stated as soon as it is checked (the next range is read meanwhile), all inside one
   * transaction. It commits, with the upload accepted, only if the whole file is clean; otherwise
   * it rolls back and FileRefused carries the problems. Rows checked, rows stated and the
   * problems so far are written as it goes, outside the transaction, for the page and the CLI.
   */
  private async checkAndState(tenantId: string, upload: Upload): Promise<Accepted> {
    // What an attempt that stopped in the middle left.
    await this.uploads.dropPages(tenantId, upload.id);
    await this.uploads.update(tenantId, upload.id, {
      state: 'checking',
      rows_checked: 0,
      rows_stated: 0,
      problem_count: 0,
      problems: [],
    });
    const keyColumn = (row: number) =>
      upload.format === 'affiliations-csv' ? 'source_key' : `items[${row - 1}].sourceKey`;
    const found = { count: 0, problems: [] as UploadProblem[] };
    const problem = (p: UploadProblem) => {
      found.count += 1;
      if (found.problems.length < PROBLEMS_SHOWN) found.problems.push(p);
    };
    const accepted: Accepted = { queuedCount: 0, queued: [], pending: new Set(), statisticsStale: false };
    let checked = 0;
    let stated = 0;
    // The counters are written on their own connection, in order, without holding up the next
    // range; `reported` fails if one of them did. None is left to land after the upload's end.
    let reporting: Promise<unknown> = Promise.resolve();
    const report = (fields: Partial<Pick<Upload, 'rows_checked' | 'rows_stated' | 'state'>> = {}) => {
      const set = {
        rows_checked: checked,
        problem_count: found.count,
        problems: found.problems.slice(),
        ...fields,
      };
      reporting = reporting.then(() => this.uploads.update(tenantId, upload.id, set));
      reporting.catch(() => undefined);
    };
    const reported = () => reporting;
    // Pages are written beside the transaction; none may land after the upload has ended.
    let pagesInFlight: Promise<void> = Promise.resolve();
    const stateAll = this.d.unitOfWork(async (trx) => {
      const stating = trx.uploadStating;
      await stating.allowRangeSorts();
      const leavers = new Map<string, string>();
      const statedPeople = new StatedPeople();
      let range = new StatingRange();
      let people = new Map<string, UploadPerson>();
      // The range's pages are written on a connection of their own meanwhile.
      const pagesOut = this.d.repos.uploadStating;
      // One range is stated while the next is read: at most two ranges in memory.
      let inFlight: Promise<void> = Promise.resolve();
      let inRanges = 0;
      const stateRange = async () => {
        inRanges += 1;
        const rows = range;
        range = new StatingRange();
        await inFlight;
        // The next range names a repeated key by the earlier ranges' pages.
        await pagesInFlight;
        const named = statedPeople.news(people.values());
        people = new Map();
        if (found.count || !rows.size) return;
        inFlight = (async () => {
          await stating.statePeople(tenantId, named);
          const r = await stating.stateRange(tenantId, upload.id, rows);
          for (const t of r.taken)
            problem({
              row: t.row,
              column: keyColumn(t.row),
              message: t.firstRow
                ? duplicateKey(t.sourceKey, t.firstRow)
                : `${t.sourceKey} already belongs to another person (${t.owner}).`,
            });
          stated += r.stated;
          accepted.queuedCount += r.queued;
          for (const id of r.pendingPeople) accepted.pending.add(id);
          report({ rows_stated: stated });
        })();
        // Beside the pages, once: the portal page's kept plan must learn of the upload's items.
        const refresh = !accepted.statisticsStale && stated >= STATISTICS_AFTER_ROWS;
        if (refresh) accepted.statisticsStale = true;
        pagesInFlight = pagesOut
          .insertPages(tenantId, upload.id, rows)
          .then(() => (refresh ? pagesOut.refreshItemStatistics() : undefined));
        // Awaited before the next range and at the end; not left unhandled meanwhile.
        inFlight.catch(() => undefined);
        pagesInFlight.catch(() => undefined);
      };

      let lastReport = Date.now();
      const text = decodeUploadStream(this.uploads.file(tenantId, upload.id));
      for await (const r of upload.format === 'affiliations-csv' ? csvRows(text) : jsonRows(text)) {
        checked += 1;
        for (const p of r.problems) problem(p);
        if (!found.count) {
          range.add(r.row);
          const known = people.get(r.person.localId);
          const { email, givenNames, familyName } = r.person;
          // A new object only when the row says something of its person (most rows name them only).
          if (!known || email !== undefined || givenNames !== undefined || familyName !== undefined)
            people.set(r.person.localId, {
              localId: r.person.localId,
              email: email ?? known?.email,
              givenNames: givenNames ?? known?.givenNames,
              familyName: familyName ?? known?.familyName,
            });
          if (r.leftOn && !leavers.has(r.person.localId)) leavers.set(r.person.localId, r.leftOn);
        }
        // The first range is small, so that the database starts while the rest is still read; a
        // range ends with a page of rows, so that no page is split in two.
        if (range.size >= (inRanges ? STATE_RANGE : FIRST_RANGE) && (r.row.row + 1) % PAGE_ROWS === 0)
          await stateRange();
        // Rows arrive as microtasks: let the database's answers in, so the next statement of the
        // range being stated starts at once rather than when the parser next waits for the file.
        else if (checked % YIELD_ROWS === 0) await setImmediate();
        if (Date.now() - lastReport >= PROGRESS_MS) {
          report();
          lastReport = Date.now();
        }
      }
      await stateRange();
      await inFlight;
      await pagesInFlight;
      report({ state: 'stating' });
      await reported();
      if (!found.count) {
        const repeated = await stating.repeatedKeys(tenantId, upload.id, PROBLEMS_SHOWN);
        found.count += repeated.count;
        for (const r of repeated.rows)
          if (found.problems.length < PROBLEMS_SHOWN)
            found.problems.push({
              row: r.row,
              column: keyColumn(r.row),
              message: duplicateKey(r.sourceKey, r.first),
            });
      }
      if (found.count) throw new FileRefused(found.count, found.problems);
      await this.endLeavers(trx, tenantId, leavers, accepted);
      const done = trx.uploads;
      await done.update(tenantId, upload.id, {
        state: 'accepted',
        rows_checked: checked,
        rows_stated: stated,
        row_count: stated,
        finished_at: new Date(),
      });
      await done.dropFile(tenantId, upload.id);
    });
    try {
      await stateAll;
    } finally {
      await pagesInFlight.catch(() => undefined);
      await reporting.catch(() => undefined);
    }
    return accepted;
  }

  /** Once the upload is committed: the workers are told of its writes and the invitations sent. */
  private async afterAccepted(tenantId: string, accepted: Accepted): Promise<void> {
    // Statistics taken mid-upload say the table is large and nearly empty; plans made from them
    // (this upload's own page queries first) would loop over the upload's items.
    if (accepted.statisticsStale) await this.d.repos.uploadStating.refreshItemStatistics();
    if (accepted.queuedCount || accepted.queued.length)
      await this.d.writes.enqueueWrites(tenantId, accepted.queued);
    await this.d.invitations?.invite(tenantId, [...accepted.pending]);
  }

  /** End-dates the employments of the people the file says have left (this file's included). */
  private async endLeavers(
    trx: Repositories,
    tenantId: string,
    leavers: Map<string, string>,
    accepted: Accepted,
  ): Promise<void> {
    if (!leavers.size) return;
    const people = trx.people;
    const intake = new ItemIntakeService({
      people,
      tenants: trx.tenants,
      items: trx.items,
      links: trx.links,
      writes: { enqueueWrites: async (_t, ids) => void accepted.queued.push(...ids) },
      invitations: {
        invite: async (_t, ids) => {
          for (const id of ids) accepted.pending.add(id);
        },
      },
    });
    for (const [localId, leftOn] of leavers) {
      const existing = await people.byLocalId(tenantId, localId);
      await intake.statePerson(tenantId, localId, {
        ...personRecordOf(existing),
        employment: { status: 'left', start: existing?.employment_start ?? undefined, end: leftOn },
      });
    }
  }

  list(tenantId: string, filter: Parameters<UploadRepository['list']>[1]) {
    return this.uploads.list(tenantId, filter);
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
    // Until it is accepted an upload's pages name items that are not (yet) its own.
    const rows = upload.state === 'accepted' ? await this.uploads.rows(tenantId, upload.id) : [];
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

/**
 * What an upload's transaction has stated of its people so far: a range that says nothing new of a
 * person (the bulk of a file listing each person's many rows) leaves them out of statePeople.
 */
class StatedPeople {
  private readonly known = new Map<string, UploadPerson>();

  /** The people that say something not yet stated (and remembers them as stated). */
  news(people: Iterable<UploadPerson>): UploadPerson[] {
    const out: UploadPerson[] = [];
    for (const p of people) {
      const k = this.known.get(p.localId);
      const same =
        k &&
        (p.email === undefined || p.email === k.email) &&
        (p.givenNames === undefined || p.givenNames === k.givenNames) &&
        (p.familyName === undefined || p.familyName === k.familyName);
      if (same) continue;
      out.push(p);
      if (k || this.known.size < REMEMBERED_PEOPLE)
        this.known.set(p.localId, {
          localId: p.localId,
          email: p.email ?? k?.email,
          givenNames: p.givenNames ?? k?.givenNames,
          familyName: p.familyName ?? k?.familyName,
        });
    }
    return out;
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
  for await (const { affiliation: r, problems } of readAffiliationsCsv(text)) {
    const content = canonicalContent(r.payload);
    yield {
      problems,
      person: { localId: r.values.local_id, ...r.person },
      leftOn: r.leftOn,
      row: {
        row: r.row,
        localId: r.values.local_id,
        section: r.section,
        sourceKey: r.values.source_key,
        payloadJson: content.json,
        contentHash: content.hash,
        desired: r.desired,
        stored: r.values,
      },
    };
  }
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
    const content = canonicalContent(item.payload);
    yield {
      problems: [],
      person: { localId: item.localId, ...item.person },
      row: {
        row,
        localId: item.localId,
        section: item.section,
        sourceKey: item.sourceKey,
        payloadJson: content.json,
        contentHash: content.hash,
        groupId: item.groupId,
        desired: item.action === 'delete' ? 'absent' : 'present',
        stored,
      },
    };
  }
}
