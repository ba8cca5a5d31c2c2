// The process log: pino JSON lines, with secrets redacted by path and ORCID calls summarised.
import pino, { type DestinationStream, type Logger } from 'pino';
import type { CallRecord, CallRecorder } from './orcid/transport.js';

export type { Logger };

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  '*.access_token',
  '*.refresh_token',
  '*.id_token',
  '*.client_secret',
  '*.clientSecret',
  '*.password',
  'access_token',
  'refresh_token',
  'id_token',
  'client_secret',
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino({ level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, destination);
}

/** Logs each ORCID call (from the transport's already-redacted record) at info, failures at warn. */
export function callLogger(logger: Logger): CallRecorder {
  return {
    async record(c: CallRecord) {
      const line = {
        orcid_call: {
          method: c.method,
          url: c.url,
          status: c.status,
          attempt: c.attempt,
          ms: c.durationMs,
          error: c.error,
        },
      };
      if (c.status !== null && c.status < 400) logger.info(line, 'ORCID call');
      else logger.warn(line, 'ORCID call failed');
    },
  };
}

/** Sends each record to every recorder. */
export function allRecorders(...recorders: CallRecorder[]): CallRecorder {
  return {
    async record(c) {
      await Promise.all(recorders.map((r) => r.record(c)));
    },
  };
}
