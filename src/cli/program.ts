/** The `kyso` command line once main.ts has started what runs beside it: the commands, parsing, errors. */
import { Command, CommanderError } from 'commander';
import { KysoError } from '../core/errors.js';
import { KYSO_VERSION } from '../core/version.js';
import { EXIT, EXIT_HELP, reportError } from './output.js';
import type { CommandName } from './main.js';

type Register = (program: Command) => void;
/**
 * Each command's module, loaded only when that command runs: `kyso tokens` never loads the PDF library, and
 * `sign`/`verify` never load the agent. Help, `help CMD` and unknown words load them all (in this order).
 */
const COMMANDS: Record<CommandName, () => Promise<Register>> = {
  tokens: async () => (await import('./commands/tokens.js')).registerTokens,
  sign: async () => (await import('./commands/sign.js')).registerSign,
  timestamp: async () => (await import('./commands/timestamp.js')).registerTimestamp,
  verify: async () => (await import('./commands/verify.js')).registerVerify,
  demo: async () => (await import('./commands/demo.js')).registerDemo,
  serve: async () => (await import('./serve.js')).registerServe,
  tls: async () => (await import('./commands/tls.js')).registerTls,
  remote: async () => (await import('./commands/remote.js')).registerRemote,
};

/** Runs the command line with the commands it needs (main.ts's commandsFor). */
export async function runProgram(commands: readonly CommandName[]): Promise<void> {
  // A reader that goes away (`kyso tokens | head -3`) is not an error: stop quietly.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err;
      process.exit(typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok);
    });
  }

  const program = new Command('kyso')
    .description('Kyso — ký số tài liệu bằng USB token / sign documents with a USB token')
    .version(KYSO_VERSION)
    .addHelpText('after', EXIT_HELP)
    // Before any subcommand is added: they inherit both. Commander's own errors (unknown option, missing
    // argument…) then come back here to be printed like every other error: code, Vietnamese, English.
    .exitOverride()
    .configureOutput({ outputError: () => undefined });
  for (const register of await Promise.all(commands.map((name) => COMMANDS[name]()))) register(program);

  try {
    await program.parseAsync(process.argv);
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') {
      // Help was printed: asked for (0), or shown because the command line named no command.
      process.exitCode = err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    } else {
      reportError(new KysoError('USAGE', err.message.replace(/^error: /, '')));
      // `kyso verify` keeps 1 for "invalid" and 3 for "untrusted": its usage mistakes exit 2, like an unreadable file.
      process.exitCode = commands.join() === 'verify' ? 2 : EXIT.usage;
    }
  }
}
