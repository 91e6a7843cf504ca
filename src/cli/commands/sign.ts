/** `kyso sign IN -o OUT`: signs with a certificate on a token; the PIN comes from the terminal or stdin. */
import path from 'node:path';
import type { Command } from 'commander';
import { addTokenOptions, openTokenService, selectCertificate, type TokenOptions } from '../token-options.js';
import { runCommand } from '../output.js';
import { pinFromStdin, pinFromTerminal } from '../pin-input.js';
import { writeFileAtomic } from '../atomic-write.js';
import { signDocument } from '../../core/sign-document.js';
import { readInput } from '../read-input.js';

interface SignOptions extends TokenOptions {
  output: string;
  cert?: string;
  pinStdin?: boolean;
  reason?: string;
  location?: string;
  contact?: string;
}

const PIN_HINT: Record<string, string> = {
  'count-low': ' (còn ít lần thử / few tries left)',
  'final-try': ' (LẦN THỬ CUỐI / FINAL TRY)',
};

export function registerSign(program: Command): void {
  addTokenOptions(program.command('sign <input>').description('sign a PDF with a certificate on a token / ký số tài liệu'))
    .requiredOption('-o, --output <file>', 'where to write the signed document')
    .option('--cert <id>', 'certificate id (or unique prefix) from `kyso tokens`')
    .option('--pin-stdin', 'read the PIN from the first line of standard input')
    .option('--reason <text>', 'reason for signing (lý do ký)')
    .option('--location <text>', 'place of signing (nơi ký)')
    .option('--contact <text>', 'contact information')
    .action((input: string, opts: SignOptions) => runCommand(async () => {
      const bytes = await readInput(input);
      const service = openTokenService(opts);
      try {
        const cert = selectCertificate(service, opts);
        const key = await service.signingKey(cert.id, async ({ token, pinState }) =>
          opts.pinStdin ? pinFromStdin() : pinFromTerminal(`PIN for "${token.label}"${PIN_HINT[pinState] ?? ''}: `));
        const started = Date.now();
        const result = await signDocument(bytes, key, {
          ...(opts.reason ? { reason: opts.reason } : {}),
          ...(opts.location ? { location: opts.location } : {}),
          ...(opts.contact ? { contactInfo: opts.contact } : {}),
        }, path.basename(input));
        await writeFileAtomic(opts.output, result.bytes);
        process.stderr.write(`signed ${path.basename(input)} as ${cert.info.subject.commonName ?? cert.id} → ${opts.output} (${result.bytes.length} bytes, ${Date.now() - started} ms)\n`);
      } finally {
        service.close();
      }
    }));
}
