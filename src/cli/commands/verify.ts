/** `kyso verify FILE`: one line per signature; exit 0 only when every signature is intact. */
import { readInput } from '../read-input.js';
import type { Command } from 'commander';
import { EXIT, runCommand } from '../output.js';
import { verifyDocument } from '../../core/verify-document.js';

export function registerVerify(program: Command): void {
  program.command('verify <file>')
    .description('kiểm tra chữ ký số trong tệp PDF hoặc Office / check the signatures in a PDF or Office document (exit 0 only when every one is intact)')
    .option('--json', 'machine-readable output')
    .action((file: string, opts: { json?: boolean }) => runCommand(async () => {
      const result = await verifyDocument(await readInput(file));
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      } else {
        if (result.signatures.length === 0) process.stdout.write('không có chữ ký số / no signatures\n');
        result.signatures.forEach((s, i) => {
          const status = s.intact ? 'hợp lệ / VALID' : 'không hợp lệ / INVALID';
          process.stdout.write(`#${i + 1} ${s.signer ?? '?'}: ${status}\n`);
          if (s.time) process.stdout.write(`   thời điểm / time: ${s.time.toISOString()}\n`);
          process.stdout.write(`   ${s.summary}\n`);
          for (const p of s.problems) process.stdout.write(`   ! ${p}\n`);
        });
      }
      return result.signatures.length > 0 && result.allIntact ? EXIT.ok : EXIT.invalid;
    }));
}
