// Checks and states one received upload (UploadService.state): the file is read from the
// database, so any worker can take the job, and a worker that dies mid-way leaves nothing stated
// (the transaction is lost); the job then runs again from the stored file.
import { z } from 'zod';
import type { Queue } from '../queue/queue.js';
import type { UploadStatingQueue } from '../services/ports.js';
import { declareJob } from './job.js';

export const stateUploadJob = declareJob({
  name: 'state-upload',
  payload: z.object({ tenantId: z.uuid(), uploadId: z.uuid() }),
  retry: { limit: 2, delaySeconds: 10, backoff: true },
  // Half a million rows take about a minute on two cores; a job running this long lost its worker.
  expireInSeconds: 30 * 60,
  policy: 'short',
  // Someone watches an upload's page as it starts: it is taken within half a second.
  pollingSeconds: 0.5,
  handle: (c, p, job) => c.uploads.state(p.tenantId, p.uploadId, { finalAttempt: job.finalAttempt }),
});

export function uploadStatingQueue(queue: Queue): UploadStatingQueue {
  return {
    async enqueueStating(tenantId, uploadId) {
      await queue.enqueue(stateUploadJob, { tenantId, uploadId }, { singletonKey: uploadId });
    },
  };
}
