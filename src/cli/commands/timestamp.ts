/** `kyso timestamp IN -o OUT --tsa URL`: a document timestamp alone (no token needed); `--ltv` first embeds validation data for the signatures present. */
import path from 'node:path';
import type { Command } from 'commander';
import { runCommand } from '../output.js';
import { writeFileAtomicSync } from '../../core/atomic-write.js';
import { readInput } from '../read-input.js';
import { addTsaOptions, timestampClientFrom, type TsaOptions } from '../tsa-options.js';
import { timestampDocument } from '../../core/sign-document.js';
import { KysoError } from '../../core/errors.js';

interface TimestampOptions extends TsaOptions {
  output: string;
  ltv?: boolean;
}

export function registerTimestamp(program: Command): void {
  const cmd = program.command('timestamp <input>')
    .description('add a document timestamp to a PDF (PAdES B-LTA) / gắn dấu thời gian cho tài liệu')
    .requiredOption('-o, --output <file>', 'where to write the timestamped document')
    .option('--ltv', 'first add revocation data (DSS) for the signatures already in the file: B-LT → B-LTA, or archive renewal');
  addTsaOptions(cmd)
    .addHelpText('after', '\nStandard input, for scripts: line 1 is the TSA password (--tsa-password-stdin).')
    .action((input: string, opts: TimestampOptions) => runCommand(async () => {
      const timestamp = await timestampClientFrom(opts, 0);
      if (!timestamp) throw new KysoError('BAD_REQUEST', 'kyso timestamp needs --tsa URL');
      const bytes = await readInput(input);
      const started = Date.now();
      const result = await timestampDocument(bytes, { timestamp, ...(opts.ltv ? { addValidationData: true } : {}) });
      // A document the user keeps: ordinary permissions, for it and any folder made for it.
      writeFileAtomicSync(opts.output, result.bytes, { mode: 0o644, dirMode: 0o755 });
      process.stderr.write(`timestamped ${path.basename(input)} → ${opts.output} (${result.time.toISOString()} by ${result.tsa ?? 'TSA'}, ${result.bytes.length} bytes, ${Date.now() - started} ms)\n`);
    }));
}
