/** `kyso sign IN -o OUT`: signs with a certificate on a token; the PIN comes from the terminal or stdin. */
import path from 'node:path';
import type { Command } from 'commander';
import { addTokenOptions, openTokenService, selectCertificate, type TokenOptions } from '../token-options.js';
import { runCommand } from '../output.js';
import { pinFromStdin, pinFromTerminal } from '../pin-input.js';
import { writeFileAtomicSync } from '../../core/atomic-write.js';
import { signDocument, type DocumentSignOptions } from '../../core/sign-document.js';
import type { Placement, PlacementRect } from '../../core/pdf/appearance/index.js';
import { KysoError } from '../../core/errors.js';
import { readInput } from '../read-input.js';
import { addTsaOptions, timestampClientFrom, type TsaOptions } from '../tsa-options.js';
import { PADES_LEVELS, type PadesLevel } from '../../core/sign-document.js';
import type { CertificateCheck } from '../../core/revocation/check.js';

interface SignOptions extends TokenOptions, TsaOptions {
  level?: string;
  certCheck?: 'online' | 'offline' | 'off';
  output: string;
  cert?: string;
  pinStdin?: boolean;
  reason?: string;
  location?: string;
  contact?: string;
  page?: string;
  rect?: string;
  keyword?: string;
  position?: 'below' | 'above' | 'right' | 'left' | 'over';
  allPages?: boolean;
  image?: string;
}

/** Visible-signature flags → a placement; none of them → an invisible signature. */
async function visibleFrom(opts: SignOptions): Promise<DocumentSignOptions['visible']> {
  const rect = opts.rect?.split(',').map(Number);
  if (rect && (rect.length !== 4 || rect.some((n) => !Number.isFinite(n)))) throw new KysoError('BAD_REQUEST', '--rect x1,y1,x2,y2 in points');
  let placement: Placement | undefined;
  if (opts.keyword) placement = { keyword: opts.keyword, ...(opts.position ? { position: opts.position } : {}), ...(opts.allPages ? { occurrence: 'all' as const } : {}) };
  else if (rect && opts.allPages) placement = { pages: 'all', rect: rect as PlacementRect };
  else if (rect) placement = { page: Number(opts.page ?? 1), rect: rect as PlacementRect };
  if (!placement) {
    if (opts.image || opts.page || opts.allPages) throw new KysoError('BAD_REQUEST', 'a visible signature needs --rect or --keyword');
    return undefined;
  }
  const image = opts.image ? Buffer.from(await readInput(opts.image)).toString('base64') : undefined;
  return { placement, ...(image ? { appearance: { image } } : {}) };
}

const PIN_HINT: Record<string, string> = {
  'count-low': ' (còn ít lần thử / few tries left)',
  'final-try': ' (LẦN THỬ CUỐI / FINAL TRY)',
};

/** Warnings of the certificate check, on stderr in both languages. */
export function printCertificateWarnings(check: CertificateCheck | undefined): void {
  for (const p of check?.problems ?? []) {
    if (p.severity !== 'warning') continue;
    process.stderr.write(`kyso: cảnh báo / warning: ${p.vi}\n  ${p.en}${p.detail ? `\n  (${p.detail})` : ''}\n`);
  }
}

export function registerSign(program: Command): void {
  const cmd = addTokenOptions(program.command('sign <input>').description('sign a PDF with a certificate on a token / ký số tài liệu'))
    .requiredOption('-o, --output <file>', 'where to write the signed document')
    .option('--cert <id>', 'certificate id (or unique prefix) from `kyso tokens`')
    .option('--pin-stdin', 'read the PIN from the first line of standard input')
    .option('--reason <text>', 'reason for signing (lý do ký)')
    .option('--location <text>', 'place of signing (nơi ký)')
    .option('--contact <text>', 'contact information')
    .option('--rect <x1,y1,x2,y2>', 'visible signature: rectangle in PDF points (origin bottom-left)')
    .option('--page <n>', 'visible signature: page number for --rect (default 1)')
    .option('--keyword <text>', 'visible signature: next to this text on the page (e.g. "Người làm đơn")')
    .option('--position <where>', 'with --keyword: below | above | right | left | over')
    .option('--all-pages', 'visible signature on every page (or at every keyword match)')
    .option('--image <file>', 'signature image (PNG/JPEG) shown beside the text')
    .option('--level <level>', 'PAdES level: B-B | B-T (timestamp) | B-LT (+ revocation data) | B-LTA (+ document timestamp); default B-T with --tsa, else B-B')
    .option('--cert-check <mode>', 'certificate check before signing: online (OCSP/CRL) | offline | off; default online from B-T, offline at B-B');
  addTsaOptions(cmd)
    .addHelpText('after', '\nStandard input, for scripts: line 1 is the PIN (--pin-stdin), the next line the TSA password (--tsa-password-stdin).\nDữ liệu vào chuẩn: dòng 1 là mã PIN, dòng tiếp theo là mật khẩu máy chủ dấu thời gian.')
    .action((input: string, opts: SignOptions) => runCommand(async () => {
      const level = opts.level?.toUpperCase() as PadesLevel | undefined;
      if (level && !PADES_LEVELS.includes(level)) throw new KysoError('BAD_REQUEST', `--level ${opts.level}: one of ${PADES_LEVELS.join(', ')}`);
      if (opts.certCheck && !['online', 'offline', 'off'].includes(opts.certCheck)) throw new KysoError('BAD_REQUEST', '--cert-check online | offline | off');
      const timestamp = await timestampClientFrom(opts, opts.pinStdin ? 1 : 0);
      if (level && level !== 'B-B' && !timestamp) throw new KysoError('BAD_REQUEST', `--level ${level} needs --tsa URL`);
      const bytes = await readInput(input);
      const service = openTokenService(opts);
      try {
        const cert = selectCertificate(service, opts);
        const key = await service.signingKey(cert.id, async ({ token, pinState }) =>
          opts.pinStdin ? pinFromStdin() : pinFromTerminal(`PIN for "${token.label}"${PIN_HINT[pinState] ?? ''}: `));
        const visible = await visibleFrom(opts);
        const started = Date.now();
        const result = await signDocument(bytes, key, {
          ...(opts.reason ? { reason: opts.reason } : {}),
          ...(opts.location ? { location: opts.location } : {}),
          ...(opts.contact ? { contactInfo: opts.contact } : {}),
          ...(visible ? { visible } : {}),
          ...(level ? { level } : {}),
          ...(timestamp ? { timestamp } : {}),
          ...(opts.certCheck ? { certificateCheck: opts.certCheck } : {}),
          onCertificateCheck: printCertificateWarnings,
        }, path.basename(input));
        // A document the user keeps: ordinary permissions, for it and any folder made for it.
        writeFileAtomicSync(opts.output, result.bytes, { mode: 0o644, dirMode: 0o755 });
        const ts = result.timestamp ? `, timestamp ${result.timestamp.time.toISOString()} by ${result.timestamp.tsa ?? result.timestamp.url ?? 'TSA'}` : '';
        process.stderr.write(`signed ${path.basename(input)} as ${cert.info.subject.commonName ?? cert.id} → ${opts.output} (${result.level ?? ''} ${result.bytes.length} bytes${ts}, ${Date.now() - started} ms)\n`);
      } finally {
        service.close();
      }
    }));
}
