import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { execFileSync } from 'node:child_process';
import { batchedStdout, createLogger, LOG_FLUSH_MS, redactUrl } from './logging.ts';

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

test('logging: lines are written together once the flush comes due, or at 64 KiB', () => {
  const writes: string[] = [];
  const due: Array<() => void> = [];
  const logger = createLogger('info', batchedStdout({ write: (text: string) => writes.push(text) }, (flush) => due.push(flush)));
  logger.info('one');
  logger.info('two');
  logger.warn('three');
  assert.equal(writes.length, 0, 'nothing is written before the flush is due');
  assert.equal(due.length, 1, 'one flush scheduled for all of them');
  due.shift()!();
  assert.equal(writes.length, 1);
  assert.deepEqual(
    writes[0]!.trimEnd().split('\n').map((line) => (JSON.parse(line) as { msg: string }).msg),
    ['one', 'two', 'three'],
  );
  logger.info('four');
  assert.equal(due.length, 1, 'the next line schedules the next flush');
  due.shift()!();
  assert.equal(writes.length, 2);
  const long = 'x'.repeat(1024);
  for (let i = 0; i < 70; i++) logger.info(long);
  assert.equal(writes.length, 3, 'written as soon as 64 KiB are pending');
  due.shift()!();
  assert.equal(writes.length, 4, 'the rest at the flush');
  due.shift()?.();
  assert.equal(writes.length, 4, 'a flush with nothing pending writes nothing');
});

test('logging: by default a line is written within LOG_FLUSH_MS of the last ones', async () => {
  const writes: string[] = [];
  const logger = createLogger('info', batchedStdout({ write: (text: string) => writes.push(text) }));
  logger.info('soon');
  await new Promise((resolve) => setTimeout(resolve, LOG_FLUSH_MS * 3));
  assert.equal(writes.length, 1);
});

test('logging: lines still pending when the process exits are written', () => {
  const module = fileURLToPath(new URL('./logging.ts', import.meta.url));
  const script = `import('${module}').then(({ createLogger, batchedStdout }) => {
    createLogger('info', batchedStdout()).info('last words');
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
