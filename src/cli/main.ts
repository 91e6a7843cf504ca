/**
 * `kyso` — command-line entry: tokens, sign, verify, demo, serve. It imports nothing before it has started the
 * document worker a command needs, so that the worker's start (most of a small `kyso sign`) runs beside the
 * loading of the command line itself (program.ts) rather than after it.
 */
const COMMAND_NAMES = ['tokens', 'sign', 'timestamp', 'verify', 'demo', 'serve', 'tls', 'remote'] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];

const isCommand = (word: string): word is CommandName => (COMMAND_NAMES as readonly string[]).includes(word);

/** The commands this command line needs: the one it names, none for a bare --version, else all. */
function commandsFor(argv: readonly string[]): CommandName[] {
  const first = argv.find((a) => !a.startsWith('-'));
  if (first !== undefined && isCommand(first)) return [first];
  if (first === undefined && argv.length > 0 && argv.every((a) => a === '-V' || a === '--version')) return [];
  return [...COMMAND_NAMES];
}

/** The document jobs a command hands to a worker thread (src/core/isolation), whose engine the worker loads at once. */
const DOCUMENT_JOBS: Partial<Record<CommandName, string[]>> = { sign: ['sign'], timestamp: ['timestamp'], verify: ['verify'] };

const argv = process.argv.slice(2);
const commands = commandsFor(argv);
const jobs = commands.length === 1 ? DOCUMENT_JOBS[commands[0]!] : undefined;
if (jobs && !argv.some((a) => a === '-h' || a === '--help')) {
  void import('../core/isolation/documents.js').then((m) => m.documentWorkers().warm(jobs));
}
await (await import('./program.js')).runProgram(commands);
