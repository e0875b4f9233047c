// The maaskit command line: a table of commands over pure functions (STYLE 10). Only this
// file reads the environment and decides exit codes. Server-side code is imported lazily so
// client commands stay light.
import { randomBytes } from 'node:crypto';
import { Command, CommanderError, Option } from 'commander';
import { CommandError } from './admin.ts';
import { registerClientCommands, runProfile } from './client-main.ts';

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  /** Asks on the terminal; absent when stdin is not a terminal (then nothing is asked). */
  prompt?: (question: string, secret: boolean) => Promise<string>;
  /** For the client commands: whether stdout/stderr are terminals, stdin, and fetch (tests replace it). */
  stdoutIsTTY?: boolean;
  stderrIsTTY?: boolean;
  readStdin?: () => Promise<string>;
  fetch?: typeof fetch;
}

/** Reads one line from the terminal; a secret answer is not echoed. */
async function terminalPrompt(question: string, secret: boolean): Promise<string> {
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  if (secret) {
    // Echo nothing of what is typed after the question itself.
    const rlWrite = rl as unknown as { _writeToOutput: (s: string) => void };
    rlWrite._writeToOutput = (s: string) => {
      if (s.startsWith(question)) process.stdout.write(question);
    };
  }
  try {
    const answer = await rl.question(question);
    if (secret) process.stdout.write('\n');
    return answer;
  } finally {
    rl.close();
  }
}

const defaultIo: CliIo = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  env: process.env,
  ...(process.stdin.isTTY ? { prompt: terminalPrompt } : {}),
  stdoutIsTTY: process.stdout.isTTY === true,
  stderrIsTTY: process.stderr.isTTY === true,
};

const nowSeconds = () => Math.floor(Date.now() / 1000);

function dataDirOption(env: NodeJS.ProcessEnv): Option {
  return new Option('--data-dir <dir>', 'where the database and key file live')
    .default(env['MAASKIT_DATA_DIR'] ?? './.maaskit')
    .env('MAASKIT_DATA_DIR');
}

function databaseUrlOption(): Option {
  // No .env(): commander would read process.env, not io.env; and no default, which help would show.
  return new Option(
    '--database-url <url>',
    'PostgreSQL to use instead of SQLite in the data dir, postgres://USER:PASSWORD@HOST:PORT/DB (env: MAASKIT_DATABASE_URL)',
  );
}

/** --database-url, else MAASKIT_DATABASE_URL, checked; undefined means SQLite. */
function databaseUrl(given: string | undefined, io: CliIo): string | undefined {
  const url = given ?? io.env['MAASKIT_DATABASE_URL'];
  if (url === undefined || url === '') return undefined;
  if (!/^postgres(ql)?:\/\//i.test(url)) {
    // Not echoed: a URL may hold a password.
    throw new CommandError('--database-url (or MAASKIT_DATABASE_URL) must be a postgres:// URL, such as postgres://maas:PASSWORD@db.example:5432/maas.');
  }
  return url;
}

/**
 * The --database-url of the command being run. Every command with --data-dir gets
 * --database-url too (see the end of buildProgram), and withStore() reads it from here, so a
 * store-using command needs nothing more than dataDirOption() and withStore().
 */
let commandDatabaseUrl: string | undefined;

async function withStore<T>(dataDir: string, io: CliIo, run: (store: import('../store/types.ts').Store) => Promise<T>): Promise<T> {
  const { openStore } = await import('../server/open-store.ts');
  const store = await openStore(
    { dataDir, secretKey: io.env['MAASKIT_SECRET_KEY'], databaseUrl: databaseUrl(commandDatabaseUrl, io) },
    randomBytes,
    nowSeconds,
  );
  try {
    return await run(store);
  } finally {
    await store.close();
  }
}

function parseIntOption(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) throw new CommandError(`${name} must be a whole number, got '${value}'.`);
    return n;
  };
}

function buildProgram(io: CliIo, setExit: (code: number) => void): Command {
  const program = new Command('maaskit')
    .description('A MAAS-compatible API server with its admin commands, and a client: login, PROFILE RESOURCE ACTION, doctor.')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });

  program
    .command('serve')
    .description('Serve the MAAS API at http://HOST:PORT/MAAS/')
    .addOption(new Option('--host <host>', 'address to listen on').default('127.0.0.1').env('MAASKIT_HOST'))
    .addOption(new Option('--port <port>', 'port to listen on').default(5240).env('MAASKIT_PORT').argParser(parseIntOption('--port')))
    .addOption(dataDirOption(io.env))
    .option('--public-url <url>', 'the URL clients use (HMAC base strings and describe/ URIs)')
    .addOption(
      new Option('--timestamp-window <seconds>', 'accepted oauth_timestamp distance from now, both ways')
        .default(300)
        .argParser(parseIntOption('--timestamp-window')),
    )
    .option('--no-auth-hints', 'leave the Hint: lines out of 401 responses')
    .addOption(new Option('--log-level <level>', 'pino log level').default('info').env('MAASKIT_LOG_LEVEL'))
    .addOption(
      new Option('--transition-delay <seconds>', 'how long each simulated machine lifecycle step (commissioning, deploying, releasing…) takes')
        .default(5)
        .env('MAASKIT_TRANSITION_DELAY')
        .argParser(parseIntOption('--transition-delay')),
    )
    .addOption(
      new Option('--workers <n>', 'server processes on this host, sharing the port (needs --database-url)')
        .default(1)
        .env('MAASKIT_WORKERS')
        .argParser(parseIntOption('--workers')),
    )
    .addOption(
      new Option('--db-pool-size <n>', 'PostgreSQL connections per process')
        .default(10)
        .env('MAASKIT_DB_POOL_SIZE')
        .argParser(parseIntOption('--db-pool-size')),
    )
    .action(async (opts) => {
      const url = databaseUrl(opts.databaseUrl, io);
      if (opts.workers < 1) throw new CommandError('--workers must be at least 1.');
      if (opts.workers > 1 && url === undefined) {
        throw new CommandError(
          '--workers needs PostgreSQL (--database-url): SQLite lets one process write at a time. Run one process, or use PostgreSQL (docs/deploy.md).',
        );
      }
      if (opts.dbPoolSize < 1) throw new CommandError('--db-pool-size must be at least 1.');
      const { serve } = await import('../server/main.ts');
      const stopSignal = new Promise<string>((resolve) => {
        process.once('SIGINT', () => resolve('SIGINT'));
        process.once('SIGTERM', () => resolve('SIGTERM'));
      });
      if (opts.publicUrl !== undefined) {
        try {
          new URL(opts.publicUrl);
        } catch {
          throw new CommandError(`--public-url must be an absolute URL such as http://maas.example:5240, got '${opts.publicUrl}'.`);
        }
      }
      setExit(
        await serve(
          {
            host: opts.host,
            port: Number(opts.port),
            dataDir: opts.dataDir,
            publicUrl: opts.publicUrl,
            timestampWindow: opts.timestampWindow,
            authHints: opts.authHints,
            logLevel: opts.logLevel,
            secretKey: io.env['MAASKIT_SECRET_KEY'],
            databaseUrl: url,
            dbPoolSize: opts.dbPoolSize,
            workers: opts.workers,
            transitionDelay: opts.transitionDelay,
          },
          { print: (line) => io.stdout(`${line}\n`), stopSignal },
        ),
      );
    });

  program
    .command('seed')
    .description("Add simulated machines shaped like MAAS's performance dataset (5 interfaces, 6 disks each)")
    .requiredOption('--machines <n>', 'how many machines to add', parseIntOption('--machines'))
    .addOption(dataDirOption(io.env))
    .action(async (opts) => {
      const { seedMachines } = await import('./seed.ts');
      const line = await withStore(opts.dataDir, io, (store) => seedMachines(store, opts.machines, randomBytes));
      io.stdout(`${line}\n`);
    });

  program
    .command('createadmin')
    .description('Create an administrator (MAAS: maas createadmin)')
    .option('--username <username>')
    .option('--password <password>')
    .option('--email <email>')
    .addOption(dataDirOption(io.env))
    .action(async (opts) => {
      const { askMissing, createAdmin } = await import('./admin.ts');
      const args = io.prompt ? await askMissing(opts, io.prompt) : opts;
      await withStore(opts.dataDir, io, (store) => createAdmin(store, args));
    });

  program
    .command('apikey')
    .description("List, generate, delete or rename a user's API keys (MAAS: maas apikey)")
    .option('--username <username>')
    .option('--generate', 'create a new key and print it')
    .option('--delete <key>', 'delete this key (consumer_key:token_key:token_secret)')
    .option('--update <key>', 'rename this key (with --name)')
    .option('--name <name>', 'name for --generate or --update')
    .option('--with-names', 'print each key followed by its name')
    .addOption(dataDirOption(io.env))
    .action(async (opts) => {
      const { apiKey } = await import('./admin.ts');
      const lines = await withStore(opts.dataDir, io, (store) => apiKey(store, opts));
      for (const line of lines) io.stdout(`${line}\n`);
    });

  registerClientCommands(program, io, setExit);

  // Whatever uses the store (--data-dir) may use PostgreSQL instead (--database-url).
  for (const command of program.commands) {
    if (command.options.some((o) => o.long === '--data-dir') && !command.options.some((o) => o.long === '--database-url')) {
      command.addOption(databaseUrlOption());
    }
  }
  program.hook('preAction', (_program, action) => {
    commandDatabaseUrl = action.opts()['databaseUrl'] as string | undefined;
  });
  return program;
}

/** Runs the command line; returns the exit code. */
export async function main(argv: string[], io: CliIo = defaultIo): Promise<number> {
  let exitCode = 0;
  const program = buildProgram(io, (code) => {
    exitCode = code;
  });
  try {
    // `maaskit PROFILE RESOURCE ACTION …`: a first word that is no command names a profile.
    const first = argv[0];
    if (first !== undefined && first !== 'help' && !first.startsWith('-') && !program.commands.some((c) => c.name() === first || c.aliases().includes(first))) {
      return await runProfile(argv, io);
    }
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (error instanceof CommandError) {
      io.stderr(`${error.message}\n`);
      return 1;
    }
    const code = (error as { code?: string }).code;
    if (
      code === 'EADDRINUSE' ||
      code === 'EACCES' ||
      code === 'ERR_STORE_SECRET_KEY' ||
      code === 'ERR_STORE_UNAVAILABLE'
    ) {
      io.stderr(`maaskit: ${(error as Error).message}\n`);
      return 1;
    }
    throw error;
  }
}
