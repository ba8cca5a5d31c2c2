// The CLI's commands run on the same composition root as the roles: the platform is opened, a
// container built on it (and a queue, for commands that send jobs), and all of it closed after.
import { type Container, containerOf } from '../app/container.js';
import { loadConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { openPlatform, type Platform } from '../platform.js';
import type { Queue } from '../queue/queue.js';

export async function withContainer<T>(
  fn: (c: Container, extras: { platform: Platform; queue: Queue | null }) => Promise<T>,
  options: { queue?: boolean } = {},
): Promise<T> {
  const config = loadConfig();
  const platform = await openPlatform(config);
  let queue: Queue | null = null;
  let c: Container | null = null;
  try {
    const logger = createLogger(config.LOG_LEVEL);
    if (options.queue) {
      const { Queue } = await import('../queue/queue.js');
      const { queuePorts, registerJobs } = await import('../jobs/index.js');
      queue = await Queue.start(platform.url, { schedule: false });
      await registerJobs(queue);
      c = containerOf(platform, config, { logger, queues: queuePorts(queue) });
    } else c = containerOf(platform, config, { logger });
    return await fn(c, { platform, queue });
  } finally {
    await queue?.stop(2000);
    await c?.close();
    await platform.close();
  }
}
