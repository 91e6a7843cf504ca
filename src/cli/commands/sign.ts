/** `kyso sign IN -o OUT`: signs with a certificate on a token; the PIN comes from the terminal or stdin. */
import path from 'node:path';
import type { Command } from 'commander';
import { addTokenOptions, openTokenService, selectCertificate, type TokenOptions } from '../token-options.js';
import { runCommand } from '../output.js';
import { pinFromStdin, pinFromTerminal } from '../pin-input.js';
import { writeFileAtomic } from '../atomic-write.js';
import { signDocument, type DocumentSignOptions } from '../../core/sign-document.js';
import type { Placement, PlacementRect } from '../../core/pdf/appearance/index.js';
import { KysoError } from '../../core/errors.js';
import { readInput } from '../read-input.js';

interface SignOptions extends TokenOptions {
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

export function registerSign(program: Command): void {
  addTokenOptions(program.command('sign <input>').description('sign a PDF with a certificate on a token / ký số tài liệu'))
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
    .action((input: string, opts: SignOptions) => runCommand(async () => {
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
        }, path.basename(input));
        await writeFileAtomic(opts.output, result.bytes);
        process.stderr.write(`signed ${path.basename(input)} as ${cert.info.subject.commonName ?? cert.id} → ${opts.output} (${result.bytes.length} bytes, ${Date.now() - started} ms)\n`);
      } finally {
        service.close();
      }
    }));
}
