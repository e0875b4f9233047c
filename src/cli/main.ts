// The maaskit command line: a table of commands over pure functions (STYLE 10). Only this
// file reads the environment and decides exit codes. Server-side code is imported lazily so
// client commands stay light.
import { randomBytes } from 'node:crypto';
import { Command, CommanderError, Option } from 'commander';
import { CommandError } from './admin.ts';

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  /** Asks on the terminal; absent when stdin is not a terminal (then nothing is asked). */
  prompt?: (question: string, secret: boolean) => Promise<string>;
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
};

const nowSeconds = () => Math.floor(Date.now() / 1000);

function dataDirOption(env: NodeJS.ProcessEnv): Option {
  return new Option('--data-dir <dir>', 'where the database and key file live')
    .default(env['MAASKIT_DATA_DIR'] ?? './.maaskit')
    .env('MAASKIT_DATA_DIR');
}

async function withStore<T>(dataDir: string, io: CliIo, run: (store: import('../store/types.ts').Store) => Promise<T>): Promise<T> {
  const { openStore } = await import('../server/open-store.ts');
  const store = await openStore({ dataDir, secretKey: io.env['MAASKIT_SECRET_KEY'] }, randomBytes, nowSeconds);
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
    .description('A MAAS-compatible API server, with the admin commands to run it.')
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
    .action(async (opts) => {
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
          },
          { print: (line) => io.stdout(`${line}\n`), stopSignal },
        ),
      );
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

  return program;
}

/** Runs the command line; returns the exit code. */
export async function main(argv: string[], io: CliIo = defaultIo): Promise<number> {
  let exitCode = 0;
  const program = buildProgram(io, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (error instanceof CommandError) {
      io.stderr(`${error.message}\n`);
      return 1;
    }
    const code = (error as { code?: string }).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'ERR_STORE_SECRET_KEY') {
      io.stderr(`maaskit: ${(error as Error).message}\n`);
      return 1;
    }
    throw error;
  }
}
