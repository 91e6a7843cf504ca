/** `kyso` — command-line entry: tokens, sign, verify, demo, serve. */
import { Command } from 'commander';
import { KYSO_VERSION } from '../core/version.js';
import { registerTokens } from './commands/tokens.js';
import { registerSign } from './commands/sign.js';
import { registerVerify } from './commands/verify.js';
import { registerDemo } from './commands/demo.js';
import { registerTimestamp } from './commands/timestamp.js';
import { registerServe } from './serve.js';
import { registerTls } from './commands/tls.js';

const program = new Command('kyso')
  .description('Kyso — ký số tài liệu bằng USB token / sign documents with a USB token')
  .version(KYSO_VERSION);
registerTokens(program);
registerSign(program);
registerTimestamp(program);
registerVerify(program);
registerDemo(program);
registerServe(program);
registerTls(program);
program.showHelpAfterError();
await program.parseAsync(process.argv);
