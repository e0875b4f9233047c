import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { createLogger, redactUrl } from './logging.ts';

test('logging: oauth_* and secret-like query values are blanked', () => {
  assert.equal(
    redactUrl('/MAAS/api/2.0/users/?op=whoami&oauth_signature=%26SECRET&password=pw&name=x'),
    '/MAAS/api/2.0/users/?op=whoami&oauth_signature=[redacted]&password=[redacted]&name=x',
  );
  assert.equal(redactUrl('/MAAS/api/2.0/users/'), '/MAAS/api/2.0/users/');
});

test('logging: an error is logged by type, message, code and stack only (not the input it carries)', () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const log = createLogger('info', sink);
  const err = Object.assign(new TypeError('Invalid URL'), { code: 'ERR_INVALID_URL', input: 'http://h/?oauth_signature=%26SECRET' });
  log.error({ err, headers: { authorization: 'OAuth oauth_signature="%26SECRET"' } }, 'unexpected error');
  assert.equal(lines.length, 1);
  assert.ok(!lines[0]!.includes('SECRET'), lines[0]);
  assert.match(lines[0]!, /"code":"ERR_INVALID_URL"/);
});
