// Logging that never carries a secret: no headers at all (Authorization, Cookie), and query
// strings with every oauth_* value, password and secret-like parameter blanked.
import pino, { type Logger } from 'pino';

const SECRET_PARAM = /^(oauth_[a-z_]+|password\d?|token_secret|secret|token|key|csrf\w*)$/i;

/** The URL as it may be logged. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const redacted = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq < 0 ? pair : pair.slice(0, eq);
      let decoded = name;
      try {
        decoded = decodeURIComponent(name);
      } catch {}
      return eq >= 0 && SECRET_PARAM.test(decoded) ? `${name}=[redacted]` : pair;
    })
    .join('&');
  return `${url.slice(0, q)}?${redacted}`;
}

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      // Belt and braces: should a header object ever reach a log call, these paths are blanked.
      // Only what identifies an error: some (URL errors) carry the offending input, which may
      // hold a query-string oauth_signature.
      serializers: {
        err: (err: { name?: unknown; message?: unknown; code?: unknown; stack?: unknown }) => ({
          type: err?.name,
          message: err?.message,
          code: err?.code,
          stack: err?.stack,
        }),
      },
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          'headers.authorization',
          'headers.cookie',
          'res.headers["set-cookie"]',
          '*.password',
          '*.token_secret',
          '*.tokenSecret',
          '*.secret',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}

/** How long a log line may wait for others to leave with, at most. */
export const LOG_FLUSH_MS = 10;
/** Pending log text written at once, whatever the wait. */
const LOG_FLUSH_CHARS = 64 * 1024;

/**
 * Standard output, written in batches: the lines logged within LOG_FLUSH_MS (or until 64 KiB
 * are pending) leave in one write(2) instead of one each — a write per line cost a busy server
 * ~3 µs per signed request, and one per event-loop turn still ~1 µs, since a turn answers only
 * the few requests whose nonces committed together. pino's own destination, which deals with
 * partial writes and a full pipe, does the writing. What is pending when the process exits is
 * written then; only a SIGKILL loses it, at most LOG_FLUSH_MS of lines. `schedule` runs the
 * flush later (a test passes its own).
 */
export function batchedStdout(
  stdout: { write(text: string): unknown } = pino.destination({ dest: 1, sync: true }),
  schedule: (flush: () => void) => void = (flush) => setTimeout(flush, LOG_FLUSH_MS).unref(),
): pino.DestinationStream {
  let pending: string[] = [];
  let chars = 0;
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (pending.length === 0) return;
    const text = pending.join('');
    pending = [];
    chars = 0;
    stdout.write(text);
  };
  process.on('exit', flush);
  return {
    write(line: string) {
      pending.push(line);
      chars += line.length;
      if (chars >= LOG_FLUSH_CHARS) {
        flush();
      } else if (!scheduled) {
        scheduled = true;
        schedule(flush);
      }
    },
  };
}
