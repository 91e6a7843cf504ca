/**
 * `kyso sign IN -o OUT`: signs with a certificate on a token; the PIN comes from the terminal or stdin.
 * Everything that can be checked without the token's PIN is checked before the PIN is asked — the document,
 * the output path, the visible-signature flags (keyword found, image decodes, appearance preset valid), the
 * certificate's validity — because a PIN try is precious: tokens lock after a few wrong ones, and a person
 * re-typing a PIN for a command that then fails on a typo learns to type it carelessly.
 */
import path from 'node:path';
import { Option, type Command } from 'commander';
import { addTokenOptions, assertPinTarget, openTokenService, selectCertificate, type TokenOptions } from '../token-options.js';
import { runCommand } from '../output.js';
import { checkOutputPath, writeOutput } from '../output-file.js';
import { pinFromStdin, pinFromTerminal } from '../pin-input.js';
import { assertSignable, signDocument, type DocumentSignOptions, type DocumentSignResult } from '../../core/sign-document.js';
import type { Placement, PlacementRect } from '../../core/pdf/appearance/index.js';
import type { TokenCertificate, PinRequest, TokenService } from '../../core/token/token-service.js';
import { assertMaySign, checkCertificate } from '../../core/revocation/check.js';
import { KysoError } from '../../core/errors.js';
import { readInput } from '../read-input.js';
import { signedLength } from '../../core/signed-output.js';
import { addTsaOptions, timestampClientFrom, type TsaOptions } from '../tsa-options.js';
import { PADES_LEVELS, type PadesLevel } from '../../core/sign-document.js';
import { addAppearanceOptions, appearanceFrom, hasAppearanceFlags, missingCertificateLines, type AppearanceFlags } from '../appearance-options.js';
import type { CertificateCheck } from '../../core/revocation/check.js';
import type { CertificateInfo } from '../../core/cert/parse.js';
import { CONFIG_DIR_HELP, cancellableByCtrlC, openRemote, printApproval, selectRemoteCertificate } from '../remote-options.js';

interface SignOptions extends TokenOptions, TsaOptions, AppearanceFlags {
  level?: string;
  certCheck?: 'online' | 'offline' | 'off';
  output: string;
  cert?: string;
  pinStdin?: boolean;
  force?: boolean;
  reason?: string;
  location?: string;
  contact?: string;
  page?: string;
  rect?: string;
  keyword?: string;
  position?: 'below' | 'above' | 'right' | 'left' | 'over';
  allPages?: boolean;
  remote?: string;
  configDir?: string;
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
    if (opts.page || opts.allPages || hasAppearanceFlags(opts)) throw new KysoError('BAD_REQUEST', 'a visible signature needs --rect or --keyword (the appearance flags and --page, --all-pages describe one)');
    return undefined;
  }
  const appearance = await appearanceFrom(opts);
  return { placement, ...(Object.keys(appearance).length ? { appearance } : {}) };
}

/**
 * Draws the visible signature once without signing (same code as the signing will run), so that a keyword not
 * in the document, a page that does not exist or an image that does not decode stop before the PIN.
 */
async function rehearseVisible(bytes: Uint8Array, visible: NonNullable<DocumentSignOptions['visible']>, signer: CertificateInfo['subject'] | undefined, opts: SignOptions, timestamped: boolean): Promise<void> {
  const { openPdf } = await import('../../core/pdf/open.js');
  const { prepareVisibleSignature } = await import('../../core/pdf/appearance/index.js');
  if (signer) printMissingLines(visible, signer);
  await prepareVisibleSignature(await openPdf(bytes), {
    ...visible,
    // A remote signer is known only after signing in: the placement is checked before, with no name yet.
    signer: signer ?? { identifiers: {} },
    signingTime: new Date(),
    ...(opts.reason ? { reason: opts.reason } : {}),
    ...(opts.location ? { location: opts.location } : {}),
    ...(opts.contact ? { contact: opts.contact } : {}),
    ...(timestamped ? { timestamped } : {}),
  });
}

function printMissingLines(visible: NonNullable<DocumentSignOptions['visible']>, signer: CertificateInfo['subject']): void {
  for (const w of missingCertificateLines(visible.appearance ?? {}, signer)) process.stderr.write(`kyso: cảnh báo / warning: ${w.vi}\n  ${w.en}\n`);
}

const PIN_HINT: Record<string, string> = {
  'count-low': ' (còn ít lần thử / few tries left)',
  'final-try': ' (LẦN THỬ CUỐI: sai nữa token sẽ bị khoá / FINAL TRY: a wrong PIN locks the token)',
};

/** Asks the PIN for `cert`'s token only: a PIN typed or piped for one token is never offered to another. */
function pinFor(cert: TokenCertificate, fromStdin: boolean): (request: PinRequest) => Promise<string> {
  return async ({ token, pinState }) => {
    if (token.id !== cert.token.id) throw new KysoError('PIN_REQUIRED', `the PIN was given for "${cert.token.label}", not "${token.label}"`);
    const prompt = `Mã PIN của token "${token.label}"${PIN_HINT[pinState] ?? ''} / PIN: `;
    return fromStdin ? pinFromStdin(prompt) : pinFromTerminal(prompt);
  };
}

/** Warnings of the certificate check, on stderr in both languages. */
export function printCertificateWarnings(check: CertificateCheck | undefined): void {
  for (const p of check?.problems ?? []) {
    if (p.severity !== 'warning') continue;
    process.stderr.write(`kyso: cảnh báo / warning: ${p.vi}\n  ${p.en}${p.detail ? `\n  (${p.detail})` : ''}\n`);
  }
}

function printSigned(input: string, output: string, signer: string, result: DocumentSignResult, started: number): void {
  const ts = result.timestamp ? `, dấu thời gian / timestamp ${result.timestamp.time.toISOString()} ${result.timestamp.tsa ?? result.timestamp.url ?? 'TSA'}` : '';
  process.stderr.write(`đã ký / signed: ${path.basename(input)} → ${output}\n  người ký / signer: ${signer} (${result.level ?? ''}, ${signedLength(result)} byte, ${Date.now() - started} ms${ts})\n`);
}

/** The token service and the certificate to sign with (the service closed again if none is found). */
function openCertificate(opts: SignOptions): { service: TokenService; cert: TokenCertificate } {
  const service = openTokenService(opts);
  try {
    return { service, cert: selectCertificate(service, opts) };
  } catch (err) {
    service.close();
    throw err;
  }
}

/** What `fn` returns, or what it throws, to be thrown later. */
function attempt<T>(fn: () => T): { ok: true; value: T } | { ok: false; error: unknown } {
  try {
    return { ok: true, value: fn() };
  } catch (error) {
    return { ok: false, error };
  }
}

/** The flags that make the signature visible, under their own heading in --help. */
const placed = (o: Option): Option => o.helpGroup('Chữ ký hiển thị: vị trí / Visible signature placement (PDF):');

export function registerSign(program: Command): void {
  const cmd = addTokenOptions(program.command('sign <input>').description('ký số tài liệu PDF hoặc Office (DOCX, XLSX, PPTX) bằng chứng thư trên token / sign a PDF or Office document (DOCX, XLSX, PPTX) with a certificate on a token'))
    .requiredOption('-o, --output <file>', 'where to write the signed document (never over an existing file without --force)')
    .option('--force', 'replace the output file if it exists')
    .option('--cert <id>', 'certificate id (or unique prefix) from `kyso tokens`')
    .option('--pin-stdin', 'read the PIN from the first line of standard input (needs --token or --cert; at a terminal: read with echo off)')
    .option('--reason <text>', 'reason for signing (lý do ký)')
    .option('--location <text>', 'place of signing (nơi ký)')
    .option('--contact <text>', 'contact information (/ContactInfo; drawn with --show contact)')
    .addOption(placed(new Option('--rect <x1,y1,x2,y2>', 'rectangle in PDF points (origin bottom-left)')))
    .addOption(placed(new Option('--page <n>', 'page number for --rect (default 1)')))
    .addOption(placed(new Option('--keyword <text>', 'next to this text on the page (e.g. "Người làm đơn")')))
    .addOption(placed(new Option('--position <where>', 'with --keyword: below | above | right | left | over')))
    .addOption(placed(new Option('--all-pages', 'on every page (or at every keyword match)')))
    .option('--level <level>', 'PAdES level: B-B | B-T (timestamp) | B-LT (+ revocation data) | B-LTA (+ document timestamp); default B-T with --tsa, else B-B; Office: B-B | B-T')
    .option('--cert-check <mode>', 'certificate check before signing: online (OCSP/CRL) | offline | off; default online from B-T, offline at B-B')
    .addOption(new Option('--remote <account>', 'sign with a remote certificate (ký số từ xa) of this account (id or label from `kyso remote list`), approved on the phone; --cert picks among its certificates, --pin-stdin reads its password').helpGroup('Ký số từ xa / Remote signing:'))
    .addOption(new Option('--config-dir <dir>', CONFIG_DIR_HELP).helpGroup('Ký số từ xa / Remote signing:'));
  addAppearanceOptions(addTsaOptions(cmd))
    .addHelpText('after', '\nDữ liệu vào chuẩn, cho script: dòng 1 là mã PIN (--pin-stdin), dòng tiếp theo là mật khẩu máy chủ dấu thời gian (--tsa-password-stdin).\nStandard input, for scripts: line 1 is the PIN (--pin-stdin), the next line the TSA password (--tsa-password-stdin).')
    .action((input: string, opts: SignOptions) => runCommand(async () => {
      // 1. The command line.
      const level = opts.level?.toUpperCase() as PadesLevel | undefined;
      if (level && !PADES_LEVELS.includes(level)) throw new KysoError('BAD_REQUEST', `--level ${opts.level}: one of ${PADES_LEVELS.join(', ')}`);
      if (opts.certCheck && !['online', 'offline', 'off'].includes(opts.certCheck)) throw new KysoError('BAD_REQUEST', '--cert-check online | offline | off');
      if (opts.remote && (opts.token || opts.module?.length)) throw new KysoError('BAD_REQUEST', '--remote signs with a remote certificate: leave out --token and --module');
      if (!opts.remote) assertPinTarget(opts);
      // 2. Where the result goes, and what is signed.
      checkOutputPath(opts.output, opts.force);
      const bytes = await readInput(input, { shared: true });
      // Kept open in the worker: the signing below does not parse the file again.
      const checking = assertSignable(bytes, path.basename(input), {}, true);
      // The token opens and the certificate is found while the document worker starts and checks the file (for a
      // small file, most of the run); a token error waits its turn, after the document's and the flags' own.
      const token = opts.remote ? undefined : attempt(() => openCertificate(opts));
      try {
        const { format, kept } = await checking;
        const guard = kept ? { kept } : {};
        const visible = await visibleFrom(opts);
        if (format === 'ooxml') {
          if (visible) throw new KysoError('BAD_REQUEST', 'Office documents have no visible signature: leave out --rect, --keyword and the appearance flags');
          if (level === 'B-LT' || level === 'B-LTA') throw new KysoError('BAD_REQUEST', `${level} is not available for Office documents (B-B or B-T)`);
        }
        const timestamp = await timestampClientFrom(opts, opts.pinStdin ? 1 : 0);
        if (level && level !== 'B-B' && !timestamp) throw new KysoError('BAD_REQUEST', `--level ${level} needs --tsa URL`);
        const signOptions: DocumentSignOptions = {
          ...(opts.reason ? { reason: opts.reason } : {}),
          ...(opts.location ? { location: opts.location } : {}),
          ...(opts.contact ? { contactInfo: opts.contact } : {}),
          ...(visible ? { visible } : {}),
          ...(level ? { level } : {}),
          ...(timestamp ? { timestamp } : {}),
          ...(opts.certCheck ? { certificateCheck: opts.certCheck } : {}),
          onCertificateCheck: printCertificateWarnings,
        };
        const timestamped = timestamp !== undefined && level !== 'B-B';
        if (opts.remote) {
          // 3. The placement checked before signing in; then the account's certificate, offline checks, approval.
          if (visible) await rehearseVisible(bytes, visible, undefined, opts, timestamped);
          const { source } = await openRemote(opts, opts.remote);
          await cancellableByCtrlC(async (signal) => {
            const cert = selectRemoteCertificate(await source.certificates({ signal }), opts.cert);
            if (opts.certCheck !== 'off') assertMaySign(await checkCertificate(cert.der, cert.chain, { online: false }));
            if (visible) printMissingLines(visible, cert.info.subject);
            const key = await source.signingKey(cert.id, { documents: 1, onApproval: (n) => printApproval(n), signal });
            const started = Date.now();
            const result = await signDocument(bytes, key, signOptions, path.basename(input), guard);
            writeOutput(opts.output, [result.original, result.update], opts.force);
            printSigned(input, opts.output, cert.info.subject.commonName ?? cert.id, result, started);
          });
          return;
        }
        // 3. The certificate (found above), what can be known about it offline; the visible signature drawn once.
        if (!token!.ok) throw token!.error;
        const { service, cert } = token!.value;
        if (opts.certCheck !== 'off') assertMaySign(await checkCertificate(cert.der, [], { online: false }));
        if (visible) await rehearseVisible(bytes, visible, cert.info.subject, opts, timestamped);
        // 4. Only now the PIN, then the signature.
        const key = await service.signingKey(cert.id, pinFor(cert, opts.pinStdin === true));
        const started = Date.now();
        const result = await signDocument(bytes, key, signOptions, path.basename(input), guard);
        writeOutput(opts.output, [result.original, result.update], opts.force);
        printSigned(input, opts.output, cert.info.subject.commonName ?? cert.id, result, started);
      } finally {
        if (token?.ok) token.value.service.close();
      }
    }));
}
