// Wires the client commands (login, logout, list, refresh, doctor, PROFILE …) into main's
// command table. main owns the exit codes: 0 success, 1 an error, 2 a non-2xx answer (as the
// maas CLI).
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { ClientIo } from './client-commands.ts';
import type { CliIo } from './main.ts';
import { configDir, ProfileStore } from './profiles.ts';

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += chunk.toString();
  return text;
}

/** The client commands' I/O, from main's. */
export function clientIo(io: CliIo): ClientIo {
  return {
    stdout: io.stdout,
    stderr: io.stderr,
    stdoutIsTTY: io.stdoutIsTTY ?? false,
    stderrIsTTY: io.stderrIsTTY ?? false,
    readStdin: io.readStdin ?? (() => readAll(process.stdin)),
    readFile: (path) => readFileSync(path),
    prompt: io.prompt,
    profiles: new ProfileStore(configDir(io.env)),
    ...(io.fetch ? { fetch: io.fetch } : {}),
  };
}

/** Adds login, logout, list, refresh and doctor to the program. */
export function registerClientCommands(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program.addHelpText(
    'after',
    '\nAfter `maaskit login PROFILE URL KEY`:\n  maaskit PROFILE RESOURCE ACTION [ARGS] [key=value ...] [key@=file ...] [--output table] [--debug] [--wait]\n' +
      '  e.g. maaskit dev machines read; maaskit dev machine deploy SYSTEM_ID; maaskit dev --help\n',
  );
  program
    .command('login')
    .description('Log in to a MAAS server (or maaskit) and save it as PROFILE (MAAS: maas login)')
    .argument('<profile>', 'a name for this server, e.g. dev')
    .argument('<url>', 'the MAAS URL, e.g. http://HOST:5240/MAAS/')
    .argument('[key]', "the API key, or '-' to read it from stdin; leave out to be asked (empty: anonymous)")
    .action(async (profile: string, url: string, key: string | undefined) => {
      const { login } = await import('./client-commands.ts');
      await login({ profile, url, key }, clientIo(io));
    });
  program
    .command('logout')
    .description('Forget a saved profile')
    .argument('<profile>')
    .action(async (profile: string) => {
      const { logout } = await import('./client-commands.ts');
      logout(profile, clientIo(io));
    });
  program
    .command('list')
    .description('List the saved profiles (name and URL; keys are never printed)')
    .action(async () => {
      const { listProfiles } = await import('./client-commands.ts');
      listProfiles(clientIo(io));
    });
  program
    .command('refresh')
    .description("Fetch each profile's API description again")
    .action(async () => {
      const { refresh } = await import('./client-commands.ts');
      await refresh(clientIo(io));
    });
  program
    .command('doctor')
    .description('Check a MAAS URL and API key step by step, and say what is wrong')
    .argument('<url>', 'the MAAS URL, e.g. http://HOST:5240/MAAS/')
    .argument('<key>', "the API key, or '-' to read it from stdin")
    .action(async (url: string, key: string) => {
      const { doctor } = await import('./doctor.ts');
      const cio = clientIo(io);
      const result = await doctor({ url, key: key === '-' ? await cio.readStdin() : key }, { stdout: io.stdout, ...(io.fetch ? { fetch: io.fetch } : {}) });
      setExit(result.ok ? 0 : 1);
    });
}

/** `maaskit PROFILE RESOURCE ACTION …`; answers the exit code. */
export async function runProfile(argv: string[], io: CliIo): Promise<number> {
  const { runProfileCommand } = await import('./client-commands.ts');
  const outcome = await runProfileCommand(argv, clientIo(io));
  return outcome.status === undefined || (outcome.status >= 200 && outcome.status < 300) ? 0 : 2;
}
