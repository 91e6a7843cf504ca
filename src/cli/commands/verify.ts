/**
 * `kyso verify FILE`: the history of a signed document for the official who receives it — who signed which
 * revision, when (Asia/Ho_Chi_Minh), at which level, whether the certificate chains to a trusted anchor, and
 * what changed afterwards. Exit 0 all valid and trusted; 1 a broken signature, a disallowed change or no
 * signature; 2 unreadable file or bad usage; 3 intact but some chain not trusted.
 */
import { readInput } from '../read-input.js';
import type { Command } from 'commander';
import { formatError } from '../output.js';
import { toKysoError } from '../../core/errors.js';
import { checkOutputPath, writeOutput } from '../output-file.js';
import { historyNote, verifyDocument, type DocumentVerification } from '../../core/verify-document.js';
import { builtInAnchors, parseAnchorFile, type ChainCheck } from '../../core/validation/trust.js';
import type { SignatureValidation } from '../../core/validation/validate-pdf.js';
import { vietnamTime } from '../../core/validation/vietnam-time.js';

const VERIFY_EXIT = { ok: 0, invalid: 1, unreadable: 2, untrusted: 3 } as const;

interface VerifyOptions { json?: boolean; trustAnchor: string[]; offline?: boolean; extractRevision?: string; output?: string; force?: boolean }

const VERDICT: Record<SignatureValidation['verdict'], string> = {
  valid: 'HỢP LỆ / VALID',
  invalid: 'KHÔNG HỢP LỆ / INVALID — chữ ký bị hỏng / the signature is broken',
  modified: 'KHÔNG HỢP LỆ / INVALID — tài liệu bị sửa sau khi ký / the document was modified after signing',
  untrusted: 'NGUYÊN VẸN NHƯNG CHƯA TIN CẬY / INTACT BUT NOT TRUSTED',
};

const ID_LABELS: Record<string, string> = { CCCD: 'CCCD', CMND: 'CMND', MST: 'MST', HC: 'Hộ chiếu / Passport', BHXH: 'BHXH' };

function trustLine(label: string, c: ChainCheck): string {
  return c.trusted
    ? `${label}: tin cậy / trusted — đến gốc / chains to "${c.anchor}"${c.problems.length ? ` (${c.problems.join('; ')})` : ''}`
    : `${label}: KHÔNG tin cậy / NOT trusted — ${c.problems.join('; ') || 'không đến được gốc tin cậy / no trusted anchor reached'}`;
}

function printPdf(s: SignatureValidation, file: string): string[] {
  const out: string[] = [];
  const what = s.kind === 'document-timestamp' ? 'Dấu thời gian tài liệu / document timestamp' : 'Chữ ký số / Signature';
  out.push(`#${s.number} ${what}: ${VERDICT[s.verdict]}`);
  if (s.signer) {
    const ids = Object.entries(s.signer.identifiers).map(([k, v]) => `${ID_LABELS[k] ?? k}: ${v}`);
    const parts = [s.signer.name ?? '?', ...ids];
    if (s.signer.title) parts.push(`Chức vụ / Title: ${s.signer.title}`);
    if (s.signer.organization) parts.push(`Tổ chức / Organization: ${s.signer.organization}`);
    if (s.signer.organizationalUnit) parts.push(`Đơn vị / Unit: ${s.signer.organizationalUnit}`);
    out.push(`   ${s.kind === 'document-timestamp' ? 'TSA' : 'Người ký / Signer'}: ${parts.join(' — ')}`);
    if (s.signer.issuer) out.push(`   Tổ chức cấp / Issuer: ${s.signer.issuer}`);
  }
  if (s.time) {
    const how = s.time.source === 'tsa'
      ? `theo dấu thời gian / timestamped by ${s.time.tsa ? `"${s.time.tsa}"` : 'TSA'}`
      : 'do máy người ký tự khai, không có dấu thời gian / claimed by the signer’s computer, no timestamp';
    out.push(`   Thời điểm ký / Signed at: ${s.time.local} (${how})`);
  }
  if (s.level) out.push(`   Mức / Level: PAdES ${s.level}${s.details.ltv ? `; LTV data ${s.details.ltv.complete ? 'complete / dữ liệu LTV đầy đủ' : 'incomplete / dữ liệu LTV thiếu'}` : ''}`);
  if (s.reason) out.push(`   Lý do / Reason: ${s.reason}`);
  if (s.location) out.push(`   Nơi ký / Location: ${s.location}`);
  if (s.trust?.signer) out.push(`   ${trustLine('Tin cậy / Trust', s.trust.signer)}`);
  else if (s.trust && s.kind === 'signature') out.push('   Tin cậy / Trust: KHÔNG tin cậy / NOT trusted — chữ ký không mang chứng thư người ký / the signature carries no signer certificate');
  if (s.trust?.tsa) out.push(`   ${trustLine('Tin cậy của TSA / TSA trust', s.trust.tsa)}`);
  out.push(`   Phiên bản đã ký / Signed revision: #${s.number}, byte 0–${s.revisionEnd} (kyso verify ${file} --extract-revision ${s.number} -o ban-ky-${s.number}.pdf)`);
  out.push(`   Sau khi ký / After signing: ${historyNote(s.history)}`);
  s.history.updates.forEach((u, k) => {
    const allowed = new Map<string, number>();
    for (const c of u.changes) if (c.allowed) allowed.set(c.kind, (allowed.get(c.kind) ?? 0) + 1);
    const added = u.signaturesAdded.length ? ` thêm chữ ký / adds ${u.signaturesAdded.map((n) => `"${n}"`).join(', ')};` : '';
    const kinds = [...allowed].map(([kind, n]) => (n > 1 ? `${kind} ×${n}` : kind)).join(', ');
    out.push(`     Lần cập nhật / Update ${k + 1} (byte ${u.start}–${u.end}):${added}${kinds ? ` + ${kinds}` : ''}`);
    // What is not allowed is listed one by one: that is what the official must look at.
    for (const c of u.changes.filter((x) => !x.allowed)) {
      const pages = c.pages.length ? ` [trang / page ${c.pages.join(', ')}]` : '';
      out.push(`       ✗ ${c.kind}${pages}: ${c.detail}`);
    }
  });
  if (s.history.trailingBytes) out.push(`     · ${s.history.trailingBytes} byte sau %%EOF cuối, trình đọc bỏ qua / bytes after the last %%EOF, ignored by readers`);
  for (const p of s.problems) out.push(`   ! ${p}`);
  return out;
}

function printReport(result: DocumentVerification, file: string): string {
  const lines: string[] = [];
  if (result.signatures.length === 0) lines.push('Không có chữ ký số / no signatures');
  if (result.validation) {
    for (const s of result.validation.signatures) lines.push(...printPdf(s, file));
  } else {
    result.signatures.forEach((s, i) => {
      const status = !s.intact ? 'KHÔNG HỢP LỆ / INVALID' : s.trust && !s.trust.trusted ? VERDICT.untrusted : 'HỢP LỆ / VALID';
      lines.push(`#${i + 1} ${s.signer ?? '?'}: ${status}`);
      if (s.time) lines.push(`   Thời điểm ký (tự khai) / Claimed time: ${vietnamTime(s.time)}`);
      lines.push(`   ${s.summary}`);
      if (s.trust) lines.push(`   ${trustLine('Tin cậy / Trust', s.trust)}`);
      for (const p of s.problems) lines.push(`   ! ${p}`);
    });
  }
  const conclusion = {
    0: 'Kết luận / Result: mọi chữ ký hợp lệ / every signature is valid',
    1: 'Kết luận / Result: KHÔNG HỢP LỆ / NOT VALID',
    3: 'Kết luận / Result: nguyên vẹn nhưng có chứng thư chưa tin cậy / intact, but a certificate is not trusted',
  }[result.exitCode];
  lines.push(conclusion);
  return `${lines.join('\n')}\n`;
}

function collect(value: string, previous: string[]): string[] { return [...previous, value]; }

export function registerVerify(program: Command): void {
  program.command('verify <file>')
    .description('kiểm tra chữ ký số và lịch sử ký / check the signatures in a PDF or Office document: who signed which version, and what changed after')
    .option('--json', 'machine-readable output')
    .option('--trust-anchor <file>', 'trust this root certificate (PEM or DER; repeatable) / tin cậy chứng thư gốc này', collect, [])
    .option('--offline', 'no network: revocation only from the file / không truy cập mạng')
    .option('--extract-revision <n>', 'write the revision signature #n covers (with -o) / xuất phiên bản đã ký')
    .option('-o, --output <file>', 'nơi ghi phiên bản đã ký / where --extract-revision writes')
    .option('--force', 'ghi đè tệp đã có / overwrite an existing output file')
    .action(async (file: string, opts: VerifyOptions) => {
      try {
        process.exitCode = await run(file, opts);
      } catch (err) {
        process.stderr.write(`${formatError(toKysoError(err))}\n`);
        process.exitCode = VERIFY_EXIT.unreadable;
      }
    });
}

async function run(file: string, opts: VerifyOptions): Promise<number> {
  const bytes = await readInput(file);
  if (opts.extractRevision !== undefined) {
    const n = Number(opts.extractRevision);
    if (!Number.isInteger(n) || n < 1 || !opts.output) {
      process.stderr.write('kyso: --extract-revision N cần -o FILE và N ≥ 1 / needs -o FILE and N >= 1\n');
      return VERIFY_EXIT.unreadable;
    }
    checkOutputPath(opts.output, opts.force);
    const { extractRevision } = await import('../../core/validation/validate-pdf.js');
    writeOutput(opts.output, await extractRevision(bytes, n), opts.force);
    process.stderr.write(`Đã ghi phiên bản #${n} / wrote revision #${n}: ${opts.output}\n`);
    return VERIFY_EXIT.ok;
  }
  const anchors = [...builtInAnchors()];
  for (const f of opts.trustAnchor) anchors.push(...parseAnchorFile(await readInput(f), f));
  const result = await verifyDocument(bytes, { anchors, offline: !!opts.offline });
  process.stdout.write(opts.json ? `${JSON.stringify(result, null, 2)}\n` : printReport(result, file));
  return result.exitCode;
}
