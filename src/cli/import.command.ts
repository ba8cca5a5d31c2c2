// `lanyard import <slug> <file>` and `lanyard export <slug> <upload-id>`: bulk uploads from the
// command line, the same checks as the admin area (all-or-nothing, problems by row and column).
// import then follows the writes with a progress bar until nothing waits for ORCID.
import { createReadStream, statSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { Command } from '@commander-js/extra-typings';
import type { Container } from '../app/container.js';
import type { UploadProgress } from '../db/upload.repository.js';
import { formatProblem, MAX_UPLOAD_BYTES } from '../domain/upload-file.js';
import { UploadService } from '../services/upload.service.js';
import { withContainer } from './cli-container.js';
import { fail, UsageError } from './cli-errors.js';

async function tenantIdOf(c: Container, slug: string): Promise<string> {
  const t = await c.repos.tenants.bySlug(slug);
  if (!t) throw new UsageError(`no organisation with slug ${slug}`);
  return t.id;
}

export function importCommand() {
  return new Command('import')
    .description(
      'Upload a CSV of affiliations or a JSON file of works, funding and peer reviews (docs/uploads.md)',
    )
    .argument('<slug>', 'the organisation')
    .argument('<file>', '.csv (affiliations) or .json (works, funding, peer reviews)')
    .option('--no-wait', 'return once the file is stored: a running worker checks and states it')
    .option('--as <who>', 'recorded as the uploader', 'cli')
    .action(async (slug, file, o) => {
      try {
        const format = UploadService.formatOf(file);
        if (!format)
          throw new UsageError(
            'the file must end in .csv (affiliations) or .json (works, funding, peer reviews)',
          );
        if (statSync(file).size > MAX_UPLOAD_BYTES)
          throw new UsageError(`${file} is larger than ${MAX_UPLOAD_BYTES / 1024 / 1024} MB; split it`);
        await withContainer(
          async (c, { queue }) => {
            const tenantId = await tenantIdOf(c, slug);
            const uploads = c.uploads;
            const upload = await uploads.receive(
              tenantId,
              { format, filename: basename(file), content: createReadStream(file) },
              o.as,
            );
            console.log(`received: upload ${upload.id} (${upload.file_bytes} bytes)`);
            if (!o.wait) return;
            // This process checks and states uploads too while it follows (any running worker
            // may take the job first): the file need not wait for a worker.
            const { stateUploadJob } = await import('../jobs/state-upload.job.js');
            await queue!.work(stateUploadJob, (p, job) => stateUploadJob.handle(c, p, job), {
              pollingSeconds: stateUploadJob.pollingSeconds ?? 0.5,
            });
            await follow(uploads, tenantId, upload.id);
          },
          { queue: true },
        );
      } catch (e) {
        fail(e);
      }
    });
}

/** One line for where the upload is: checking, stating, or the writes. */
export function progressLine(p: UploadProgress, width = 30): string {
  const bar = (done: number, total: number) => {
    const filled = total ? Math.min(width, Math.round((done / total) * width)) : width;
    return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
  };
  if (p.state === 'received') return 'received: waiting to be checked';
  if (p.state === 'checking')
    return `checking: ${p.rowsChecked} rows checked, ${p.rowsStated} stated, ${p.problemCount} problems so far`;
  if (p.state === 'stating')
    return `stating: ${bar(p.rowsStated, p.rowsChecked)} ${p.rowsStated}/${p.rowsChecked} rows stated`;
  if (p.state === 'refused') return `refused: ${p.problemCount} problems`;
  if (p.state === 'failed') return 'failed';
  const waiting = (p.byStatus.queued ?? 0) + (p.byStatus.retrying ?? 0);
  const done = p.total - waiting;
  const counts = Object.entries(p.byStatus)
    .map(([s, n]) => `${s} ${n}`)
    .join(' · ');
  return `${bar(done, p.total)} ${done}/${p.total}  ${counts}`;
}

/**
 * Redraws the progress line (a TTY) or prints it when it changes (a log) until settled; a
 * refused or failed upload prints its problems and exits 1.
 */
async function follow(uploads: UploadService, tenantId: string, uploadId: string): Promise<void> {
  const tty = process.stderr.isTTY;
  let last = '';
  let state = '';
  let since = Date.now();
  for (;;) {
    const upload = await uploads.byId(tenantId, uploadId);
    if (!upload) throw new UsageError(`upload ${uploadId} is gone`);
    const p = await uploads.progress(tenantId, upload);
    const line = progressLine(p);
    if (p.state !== state) {
      // Each phase ends on a line of its own (the bar below redraws within a phase).
      if (tty && last) process.stderr.write('\n');
      if (p.state === 'accepted') console.log(`accepted: upload ${uploadId}, ${upload.row_count} rows`);
      state = p.state;
    }
    if (line !== last) {
      process.stderr.write(tty ? `\r${line}\x1b[K` : `${line}\n`);
      last = line;
      since = Date.now();
    } else if (Date.now() - since > 60_000) {
      process.stderr.write(
        `${tty ? '\n' : ''}no progress for a minute: is a worker running (lanyard serve --role worker)? Ctrl-C stops following; the upload stays ${p.state}.\n`,
      );
      since = Date.now();
    }
    if (p.settled) {
      if (tty) process.stderr.write('\n');
      if (p.state === 'refused' || p.state === 'failed') {
        console.error(`${p.state}: upload ${uploadId}, nothing was changed. ${p.problemCount} problem(s):`);
        for (const problem of upload.problems) console.error(formatProblem(problem));
        if (p.problemCount > upload.problems.length)
          console.error(`…and ${p.problemCount - upload.problems.length} more.`);
        throw new UsageError(`upload ${uploadId} was ${p.state}`);
      }
      break;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  console.log(`done: ${uploadId}`);
}

export function exportCommand() {
  return new Command('export')
    .description('Write an upload back with put codes and statuses (same format; upload it again to update)')
    .argument('<slug>', 'the organisation')
    .argument('<upload-id>')
    .option('--out <file>', 'write here instead of standard output')
    .action(async (slug, id, o) => {
      try {
        // Reading only: nothing is queued.
        await withContainer(async (c) => {
          const tenantId = await tenantIdOf(c, slug);
          const uploads = c.uploads;
          const upload = await uploads.byId(tenantId, id);
          if (!upload) throw new UsageError(`no upload ${id} in ${slug}`);
          const file = await uploads.export(tenantId, upload);
          if (o.out) writeFileSync(o.out, file.body);
          else process.stdout.write(file.body);
        });
      } catch (e) {
        fail(e);
      }
    });
}

export function adminCommand(): Command {
  const admin = new Command('admin').description("Organisation administrators (the admin area's role)");
  admin
    .command('grant')
    .description(
      'Make a person an administrator (by the local id sign-in gives them: employee id, eppn or email)',
    )
    .argument('<slug>')
    .argument('<local-id>')
    .action(async (slug, localId) => {
      try {
        await withContainer(async (c) => {
          const tenantId = await tenantIdOf(c, slug);
          await c.repos.adminUsers.grant(tenantId, localId, 'cli');
          await c.repos.portalLog.audit({
            tenantId,
            actor: 'cli',
            action: 'admin.granted',
            subject: localId,
          });
          console.log(`${localId} is an administrator of ${slug}`);
        });
      } catch (e) {
        fail(e);
      }
    });
  admin
    .command('revoke')
    .argument('<slug>')
    .argument('<local-id>')
    .action(async (slug, localId) => {
      try {
        await withContainer(async (c) => {
          const tenantId = await tenantIdOf(c, slug);
          if (!(await c.repos.adminUsers.revoke(tenantId, localId)))
            throw new UsageError(`${localId} is not an administrator of ${slug}`);
          await c.repos.portalLog.audit({
            tenantId,
            actor: 'cli',
            action: 'admin.revoked',
            subject: localId,
          });
          console.log(`${localId} is no longer an administrator of ${slug}`);
        });
      } catch (e) {
        fail(e);
      }
    });
  admin
    .command('list')
    .argument('<slug>')
    .action(async (slug) => {
      try {
        await withContainer(async (c) => {
          for (const a of await c.repos.adminUsers.list(await tenantIdOf(c, slug)))
            console.log(
              `${a.local_id}\tgranted by ${a.granted_by} on ${new Date(a.granted_at).toISOString()}`,
            );
        });
      } catch (e) {
        fail(e);
      }
    });
  return admin;
}
