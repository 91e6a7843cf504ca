/** `kyso` — command-line entry: tokens, sign, verify, demo, serve. */
import { Command, CommanderError } from 'commander';
import { KysoError } from '../core/errors.js';
import { KYSO_VERSION } from '../core/version.js';
import { EXIT, EXIT_HELP, reportError } from './output.js';

type Register = (program: Command) => void;
/**
 * Each command's module, loaded only when that command runs: `kyso tokens` never loads the PDF library, and
 * `sign`/`verify` never load the agent. Help, `help CMD` and unknown words load them all (in this order).
 */
const COMMANDS: Record<string, () => Promise<Register>> = {
  tokens: async () => (await import('./commands/tokens.js')).registerTokens,
  sign: async () => (await import('./commands/sign.js')).registerSign,
  timestamp: async () => (await import('./commands/timestamp.js')).registerTimestamp,
  verify: async () => (await import('./commands/verify.js')).registerVerify,
  demo: async () => (await import('./commands/demo.js')).registerDemo,
  serve: async () => (await import('./serve.js')).registerServe,
  tls: async () => (await import('./commands/tls.js')).registerTls,
  remote: async () => (await import('./commands/remote.js')).registerRemote,
};

/** The commands this command line needs: the one it names, none for a bare --version, else all. */
function commandsFor(argv: readonly string[]): string[] {
  const first = argv.find((a) => !a.startsWith('-'));
  if (first !== undefined && first in COMMANDS) return [first];
  if (first === undefined && argv.length > 0 && argv.every((a) => a === '-V' || a === '--version')) return [];
  return Object.keys(COMMANDS);
}

/**
 * The document jobs a command hands to a worker thread (src/core/isolation): the worker starts at once and loads
 * their engine beside the command's own loading, instead of after it (about half of a small `kyso sign`'s time).
 */
const DOCUMENT_JOBS: Record<string, string[]> = { sign: ['sign'], timestamp: ['timestamp'], verify: ['verify'] };
const argv = process.argv.slice(2);
const commands = commandsFor(argv);
{
  const jobs = commands.length === 1 ? DOCUMENT_JOBS[commands[0]!] : undefined;
  if (jobs && !argv.some((a) => a === '-h' || a === '--help')) {
    void import('../core/isolation/documents.js').then((m) => m.documentWorkers().warm(jobs));
  }
}

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
for (const register of await Promise.all(commands.map((name) => COMMANDS[name]!()))) register(program);

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
