/** `kyso timestamp IN -o OUT --tsa URL`: a document timestamp alone (no token needed); `--ltv` first embeds validation data for the signatures present. */
import path from 'node:path';
import type { Command } from 'commander';
import { runCommand } from '../output.js';
import { checkOutputPath, writeOutput } from '../output-file.js';
import { readInput } from '../read-input.js';
import { signedLength } from '../../core/signed-output.js';
import { addTsaOptions, timestampClientFrom, type TsaOptions } from '../tsa-options.js';
import { timestampDocument } from '../../core/sign-document.js';
import { KysoError } from '../../core/errors.js';

interface TimestampOptions extends TsaOptions {
  output: string;
  ltv?: boolean;
  force?: boolean;
}

export function registerTimestamp(program: Command): void {
  const cmd = program.command('timestamp <input>')
    .description('gắn dấu thời gian cho tài liệu PDF / add a document timestamp to a PDF (PAdES B-LTA)')
    .requiredOption('-o, --output <file>', 'where to write the timestamped document (never over an existing file without --force)')
    .option('--force', 'replace the output file if it exists')
    .option('--ltv', 'first add revocation data (DSS) for the signatures already in the file: B-LT → B-LTA, or archive renewal');
  addTsaOptions(cmd)
    .addHelpText('after', '\nDữ liệu vào chuẩn, cho script: dòng 1 là mật khẩu máy chủ dấu thời gian (--tsa-password-stdin).\nStandard input, for scripts: line 1 is the TSA password (--tsa-password-stdin).')
    .action((input: string, opts: TimestampOptions) => runCommand(async () => {
      checkOutputPath(opts.output, opts.force);
      const timestamp = await timestampClientFrom(opts, 0);
      if (!timestamp) throw new KysoError('BAD_REQUEST', 'kyso timestamp needs --tsa URL');
      const bytes = await readInput(input, { shared: true });
      const started = Date.now();
      const result = await timestampDocument(bytes, { timestamp, ...(opts.ltv ? { addValidationData: true } : {}) });
      writeOutput(opts.output, [result.original, result.update], opts.force);
      process.stderr.write(`đã gắn dấu thời gian / timestamped: ${path.basename(input)} → ${opts.output} (${result.time.toISOString()}, ${result.tsa ?? 'TSA'}, ${signedLength(result)} byte, ${Date.now() - started} ms)\n`);
    }));
}
