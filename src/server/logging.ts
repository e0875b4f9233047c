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

/**
 * Standard output, written once per turn of the event loop: the lines logged while handling
 * the requests read in one turn leave in one write(2) instead of one each (pino's own
 * destination, which deals with partial writes and a full pipe, does the writing). No line
 * waits longer than the current turn; what is pending when the process exits is written then.
 */
export function perTurnStdout(
  stdout: { write(text: string): unknown } = pino.destination({ dest: 1, sync: true }),
): pino.DestinationStream {
  let pending: string[] = [];
  const flush = () => {
    if (pending.length === 0) return;
    const text = pending.join('');
    pending = [];
    stdout.write(text);
  };
  process.on('exit', flush);
  return {
    write(line: string) {
      if (pending.length === 0) setImmediate(flush);
      pending.push(line);
    },
  };
}
