import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { execFileSync } from 'node:child_process';
import { createLogger, perTurnStdout, redactUrl } from './logging.ts';

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

test('logging: the lines of one event-loop turn are written together, once the turn ends', async () => {
  const writes: string[] = [];
  const logger = createLogger('info', perTurnStdout({ write: (text: string) => writes.push(text) }));
  logger.info('one');
  logger.info('two');
  logger.warn('three');
  assert.equal(writes.length, 0, 'nothing is written during the turn');
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(writes.length, 1);
  assert.deepEqual(
    writes[0]!.trimEnd().split('\n').map((line) => (JSON.parse(line) as { msg: string }).msg),
    ['one', 'two', 'three'],
  );
  logger.info('four');
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(writes.length, 2);
});

test('logging: lines still pending when the process exits are written', () => {
  const module = fileURLToPath(new URL('./logging.ts', import.meta.url));
  const script = `import('${module}').then(({ createLogger, perTurnStdout }) => {
    createLogger('info', perTurnStdout()).info('last words');
    process.exit(3);
  });`;
  let stdout = '';
  try {
    execFileSync(process.execPath, ['--import', 'tsx', '-e', script], { encoding: 'utf8' });
  } catch (error) {
    stdout = (error as { stdout: string; status: number }).stdout;
    assert.equal((error as { status: number }).status, 3);
  }
  assert.match(stdout, /"msg":"last words"/);
});
