/** `kyso` — command-line entry: tokens, sign, verify, demo, serve. */
import { Command, CommanderError } from 'commander';
import { KysoError } from '../core/errors.js';
import { KYSO_VERSION } from '../core/version.js';
import { registerTokens } from './commands/tokens.js';
import { registerSign } from './commands/sign.js';
import { registerVerify } from './commands/verify.js';
import { registerDemo } from './commands/demo.js';
import { registerTimestamp } from './commands/timestamp.js';
import { registerServe } from './serve.js';
import { registerTls } from './commands/tls.js';
import { EXIT, EXIT_HELP, reportError } from './output.js';

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
registerTokens(program);
registerSign(program);
registerTimestamp(program);
registerVerify(program);
registerDemo(program);
registerServe(program);
registerTls(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (!(err instanceof CommanderError)) throw err;
  if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') {
    // Help was printed: asked for (0), or shown because the command line named no command.
    process.exitCode = err.exitCode === 0 ? EXIT.ok : EXIT.usage;
  } else {
    process.exitCode = reportError(new KysoError('USAGE', err.message.replace(/^error: /, '')));
  }
}
