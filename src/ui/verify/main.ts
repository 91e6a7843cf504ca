/**
 * "Kiểm tra chữ ký / Verify a document": the official opens (Ctrl+O, the OS file dialog) or drops a signed PDF or
 * DOCX; the host reads and checks it and hands back the report, shown here signature by signature — signer and
 * identifiers, issuer, time in Asia/Ho_Chi_Minh with its source, PAdES level, trust, what changed after — with a
 * button to save the revision each signature covers. The page never parses a document and never sees a path:
 * a dropped file's bytes go to the host as they are.
 */
import type { KysoVerifyBridge, UiLanguage, VerifyDialogRequest, VerifyDialogResult, VerifyOutcome, VerifyReportView, VerifySignatureView } from '../kit/protocol.js';
import { $, dialogBridge, el, formatSize, identifiers, labels, ready, setupPage } from '../kit/page.js';

const CHANGE_KINDS = {
  vi: {
    'dss': 'dữ liệu kiểm tra (DSS)', 'document-timestamp': 'dấu thời gian tài liệu', 'signature': 'chữ ký mới', 'signature-field': 'ô chữ ký',
    'form-fill': 'điền biểu mẫu', 'acroform': 'biểu mẫu (AcroForm)', 'metadata': 'siêu dữ liệu', 'unused-object': 'đối tượng không dùng',
    'page-content': 'nội dung trang', 'pages': 'thêm hoặc bớt trang', 'annotation': 'chú thích trên trang', 'catalog': 'cấu trúc tài liệu',
    'form-field': 'ô biểu mẫu', 'signature-replaced': 'chữ ký bị thay', 'object-deleted': 'đối tượng bị xoá', 'object-changed': 'đối tượng bị đổi',
    'xref': 'bảng tham chiếu', 'unreadable': 'phần không đọc được',
  },
  en: {
    'dss': 'validation data (DSS)', 'document-timestamp': 'document timestamp', 'signature': 'a new signature', 'signature-field': 'signature field',
    'form-fill': 'form fill-in', 'acroform': 'form dictionary (AcroForm)', 'metadata': 'metadata', 'unused-object': 'unused object',
    'page-content': 'page content', 'pages': 'pages added or removed', 'annotation': 'annotation on a page', 'catalog': 'document catalog',
    'form-field': 'form field', 'signature-replaced': 'signature replaced', 'object-deleted': 'object deleted', 'object-changed': 'object changed',
    'xref': 'cross-reference', 'unreadable': 'unreadable part',
  },
} as Record<UiLanguage, Record<string, string>>;

const L = labels({
  vi: {
    title: 'Kiểm tra chữ ký số',
    language: 'English',
    dropHint: 'Kéo thả tài liệu đã ký (PDF, DOCX…) vào cửa sổ này, hoặc',
    open: 'Mở tài liệu…',
    busy: 'Đang kiểm tra…',
    keys: 'Ctrl+O: mở tài liệu · Esc: đóng',
    close: 'Đóng',
    allValid: 'Mọi chữ ký hợp lệ và được tin cậy',
    untrustedAll: 'Nguyên vẹn, nhưng có chứng thư chưa được tin cậy',
    invalidAll: 'KHÔNG HỢP LỆ: có chữ ký hỏng hoặc tài liệu bị sửa sau khi ký',
    noSignature: 'Tài liệu không có chữ ký số',
    count: '{count} chữ ký, theo thứ tự ký',
    signature: 'Chữ ký số #{n}',
    timestamp: 'Dấu thời gian tài liệu #{n}',
    valid: 'HỢP LỆ',
    untrusted: 'NGUYÊN VẸN NHƯNG CHƯA TIN CẬY',
    invalid: 'KHÔNG HỢP LỆ — chữ ký bị hỏng',
    modified: 'KHÔNG HỢP LỆ — tài liệu bị sửa sau khi ký',
    signer: 'Người ký',
    tsaName: 'Đơn vị cấp dấu thời gian',
    ids: 'Định danh',
    jobTitle: 'Chức vụ',
    organization: 'Tổ chức',
    unit: 'Đơn vị',
    issuer: 'Tổ chức cấp',
    time: 'Thời điểm ký',
    byTsa: 'theo dấu thời gian của {tsa}',
    aTsa: 'máy chủ dấu thời gian',
    claimed: 'do máy người ký tự khai, không có dấu thời gian',
    level: 'Mức',
    reason: 'Lý do',
    location: 'Nơi ký',
    trust: 'Tin cậy',
    tsaTrust: 'Tin cậy của TSA',
    trusted: 'Tin cậy — đến chứng thư gốc «{anchor}»',
    notTrusted: 'CHƯA tin cậy — {why}',
    noAnchor: 'không đến được chứng thư gốc tin cậy nào',
    after: 'Sau khi ký',
    unchanged: 'Không thay đổi: chữ ký phủ toàn bộ tài liệu',
    allowedOnly: 'Chỉ có bổ sung được phép: {what}',
    addsSignature: 'thêm chữ ký «{name}»',
    changed: 'ĐÃ BỊ SỬA sau khi ký: đã thay đổi trang {pages} ({what})',
    changedNoPage: 'ĐÃ BỊ SỬA sau khi ký: {what}',
    officeChanged: 'Tài liệu không còn như lúc ký',
    save: 'Lưu phiên bản đã ký #{n}…',
    saved: 'Đã lưu phiên bản #{n}.',
    saveFailed: 'Không lưu được: {why}',
  },
  en: {
    title: 'Verify a signed document',
    language: 'Tiếng Việt',
    dropHint: 'Drop a signed document (PDF, DOCX…) on this window, or',
    open: 'Open a document…',
    busy: 'Checking…',
    keys: 'Ctrl+O: open a document · Esc: close',
    close: 'Close',
    allValid: 'Every signature is valid and trusted',
    untrustedAll: 'Intact, but a certificate is not trusted',
    invalidAll: 'NOT VALID: a signature is broken or the document was changed after signing',
    noSignature: 'The document has no digital signature',
    count: '{count} signature(s), in signing order',
    signature: 'Signature #{n}',
    timestamp: 'Document timestamp #{n}',
    valid: 'VALID',
    untrusted: 'INTACT BUT NOT TRUSTED',
    invalid: 'INVALID — the signature is broken',
    modified: 'INVALID — the document was changed after signing',
    signer: 'Signer',
    tsaName: 'Timestamp authority',
    ids: 'Identifiers',
    jobTitle: 'Title',
    organization: 'Organisation',
    unit: 'Unit',
    issuer: 'Issuer',
    time: 'Signed at',
    byTsa: 'timestamped by {tsa}',
    aTsa: 'a timestamp server',
    claimed: 'claimed by the signer’s computer, no timestamp',
    level: 'Level',
    reason: 'Reason',
    location: 'Location',
    trust: 'Trust',
    tsaTrust: 'TSA trust',
    trusted: 'Trusted — chains to «{anchor}»',
    notTrusted: 'NOT trusted — {why}',
    noAnchor: 'no trusted root reached',
    after: 'After signing',
    unchanged: 'Unchanged: the signature covers the whole document',
    allowedOnly: 'Only allowed additions: {what}',
    addsSignature: 'adds signature «{name}»',
    changed: 'CHANGED after signing: changed page {pages} ({what})',
    changedNoPage: 'CHANGED after signing: {what}',
    officeChanged: 'The document is no longer as it was signed',
    save: 'Save signed revision #{n}…',
    saved: 'Saved revision #{n}.',
    saveFailed: 'Could not save: {why}',
  },
});

type Tone = 'ok' | 'warn' | 'bad';
const TONE: Record<VerifySignatureView['verdict'], Tone> = { valid: 'ok', untrusted: 'warn', invalid: 'bad', modified: 'bad' };

const bridge = dialogBridge<VerifyDialogRequest, VerifyDialogResult, KysoVerifyBridge>();
const request = await bridge.init();

let outcome: VerifyOutcome | undefined = request.report ? { report: request.report } : undefined;
/** Per revision: saved, or why saving failed (kept across a language switch). */
const saves = new Map<number, { ok: true } | { ok: false; why: string }>();

function row(dl: HTMLElement, term: string, value: string, tone?: Tone): void {
  const dd = el('dd', value, tone ? `tone ${tone}` : undefined);
  dl.append(el('dt', term), dd);
}

function afterText(s: VerifySignatureView, lang: UiLanguage): { text: string; tone: Tone } {
  const a = s.after;
  const kinds = (list: string[]): string => list.map((k) => CHANGE_KINDS[lang][k] ?? k).join(', ');
  if (a.verdict === 'unchanged') return { text: L.t(lang, 'unchanged'), tone: 'ok' };
  if (a.verdict === 'allowed-changes') {
    const what = [...a.signaturesAdded.map((name) => L.t(lang, 'addsSignature', { name })), ...a.allowed.filter((k) => k !== 'signature' && k !== 'document-timestamp' && k !== 'signature-field').map((k) => CHANGE_KINDS[lang][k] ?? k)];
    return { text: L.t(lang, 'allowedOnly', { what: what.join(', ') || kinds(a.allowed) }), tone: 'ok' };
  }
  if (!a.disallowed.length && !a.changedPages.length) return { text: L.t(lang, 'officeChanged'), tone: 'bad' };
  const what = kinds(a.disallowed);
  const text = a.changedPages.length ? L.t(lang, 'changed', { pages: a.changedPages.join(', '), what }) : L.t(lang, 'changedNoPage', { what });
  // Later signatures are named too: the official sees who signed on top of the changed document.
  const added = a.signaturesAdded.map((name) => L.t(lang, 'addsSignature', { name }));
  return { text: added.length ? `${text}; ${added.join(', ')}` : text, tone: 'bad' };
}

function trustText(c: { trusted: boolean; anchor?: string; problems: string[] }, lang: UiLanguage): string {
  return c.trusted ? L.t(lang, 'trusted', { anchor: c.anchor ?? '?' }) : L.t(lang, 'notTrusted', { why: c.problems.join('; ') || L.t(lang, 'noAnchor') });
}

function signatureCard(s: VerifySignatureView, lang: UiLanguage): HTMLLIElement {
  const tone = TONE[s.verdict];
  const li = el('li', undefined, `sig ${tone}`);
  li.dataset.number = String(s.number);
  li.dataset.verdict = s.verdict;
  const h = el('h2');
  h.append(el('span', L.t(lang, s.kind === 'document-timestamp' ? 'timestamp' : 'signature', { n: s.number })), el('span', L.t(lang, s.verdict), `verdict-text ${tone}`));
  const dl = el('dl');
  const who = s.signer;
  if (who) {
    row(dl, L.t(lang, s.kind === 'document-timestamp' ? 'tsaName' : 'signer'), who.name ?? '?');
    const ids = identifiers(who.identifiers);
    if (ids) row(dl, L.t(lang, 'ids'), ids);
    if (who.title) row(dl, L.t(lang, 'jobTitle'), who.title);
    if (who.organization) row(dl, L.t(lang, 'organization'), who.organization);
    if (who.organizationalUnit) row(dl, L.t(lang, 'unit'), who.organizationalUnit);
    if (who.issuer) row(dl, L.t(lang, 'issuer'), who.issuer);
  }
  if (s.time) {
    const how = s.time.source === 'tsa' ? L.t(lang, 'byTsa', { tsa: s.time.tsa ? `«${s.time.tsa}»` : L.t(lang, 'aTsa') }) : L.t(lang, 'claimed');
    row(dl, L.t(lang, 'time'), `${s.time.local} (${how})`, s.time.source === 'tsa' ? undefined : 'warn');
  }
  if (s.level) row(dl, L.t(lang, 'level'), `PAdES ${s.level}`);
  if (s.reason) row(dl, L.t(lang, 'reason'), s.reason);
  if (s.location) row(dl, L.t(lang, 'location'), s.location);
  if (s.trust) {
    row(dl, L.t(lang, 'trust'), trustText(s.trust, lang), s.trust.trusted ? 'ok' : 'warn');
    if (s.trust.tsa) row(dl, L.t(lang, 'tsaTrust'), trustText(s.trust.tsa, lang), s.trust.tsa.trusted ? 'ok' : 'warn');
  }
  const after = afterText(s, lang);
  row(dl, L.t(lang, 'after'), after.text, after.tone);
  li.append(h, dl);
  if (s.problems.length) {
    const ul = el('ul', undefined, 'problems');
    ul.append(...s.problems.map((p) => el('li', p)));
    li.append(ul);
  }
  if (s.canSaveRevision) {
    const actions = el('div', undefined, 'actions');
    const save = el('button', L.t(lang, 'save', { n: s.number }));
    save.type = 'button';
    save.id = `save-${s.number}`;
    save.addEventListener('click', () => void saveRevision(s.number));
    actions.append(save);
    const state = saves.get(s.number);
    if (state) actions.append(el('span', state.ok ? L.t(lang, 'saved', { n: s.number }) : L.t(lang, 'saveFailed', { why: state.why }), 'saved'));
    li.append(actions);
  }
  return li;
}

function summary(r: VerifyReportView, lang: UiLanguage): void {
  const box = $('summary');
  const tone: Tone = r.exitCode === 0 ? 'ok' : r.exitCode === 3 ? 'warn' : 'bad';
  box.className = `summary ${tone}`;
  box.dataset.exitCode = String(r.exitCode);
  const verdict = r.signatures.length === 0 ? L.t(lang, 'noSignature')
    : L.t(lang, r.exitCode === 0 ? 'allValid' : r.exitCode === 3 ? 'untrustedAll' : 'invalidAll');
  box.replaceChildren(
    el('div', `${r.fileName} — ${formatSize(r.size, lang)}`, 'file'),
    el('div', verdict, 'verdict'),
    ...(r.signatures.length ? [el('div', L.t(lang, 'count', { count: r.signatures.length }), 'muted')] : []),
  );
}

function render(lang: UiLanguage): void {
  L.apply(document, lang);
  document.title = `Kyso — ${L.t(lang, 'title')}`;
  const error = $('error');
  const report = $('report');
  error.hidden = !(outcome && 'error' in outcome);
  report.hidden = !(outcome && 'report' in outcome);
  if (outcome && 'error' in outcome) error.textContent = outcome.error[lang];
  if (outcome && 'report' in outcome) {
    summary(outcome.report, lang);
    $('signatures').replaceChildren(...outcome.report.signatures.map((s) => signatureCard(s, lang)));
  }
}

const page = setupPage(bridge, { language: request.language, render });
let busy = false;

/** One check at a time; the report replaces the previous one and gets the focus (read out by screen readers). */
async function show(next: Promise<VerifyOutcome | null>): Promise<void> {
  if (busy) return;
  busy = true;
  $('busy').hidden = false;
  $<HTMLButtonElement>('open').disabled = true;
  try {
    const o = await next;
    if (o) {
      outcome = o;
      saves.clear();
    }
  } catch (e) {
    outcome = { error: { vi: String(e instanceof Error ? e.message : e), en: String(e instanceof Error ? e.message : e) } };
  } finally {
    busy = false;
    $('busy').hidden = true;
    $<HTMLButtonElement>('open').disabled = false;
  }
  render(page.language());
  if (outcome && 'report' in outcome) $('summary').focus();
  else $('open').focus();
}

async function saveRevision(n: number): Promise<void> {
  let state: { ok: true } | { ok: false; why: string } | undefined;
  try {
    state = (await bridge.saveRevision(n)) ? { ok: true } : undefined;
  } catch (e) {
    state = { ok: false, why: e instanceof Error ? e.message : String(e) };
  }
  if (!state) return;
  saves.set(n, state);
  render(page.language());
  document.getElementById(`save-${n}`)?.focus();
}

$('open').addEventListener('click', () => void show(bridge.openDocument()));
$('close').addEventListener('click', () => page.cancel());
document.addEventListener('keydown', (e) => {
  if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'o') {
    e.preventDefault();
    void show(bridge.openDocument());
  }
});
// Drop anywhere on the window. Without preventDefault the browser would try to open the file itself.
document.addEventListener('dragover', (e) => {
  e.preventDefault();
  if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
  document.body.classList.add('dragging');
});
document.addEventListener('dragleave', (e) => { if (!e.relatedTarget) document.body.classList.remove('dragging'); });
document.addEventListener('drop', (e) => {
  e.preventDefault();
  document.body.classList.remove('dragging');
  const file = e.dataTransfer?.files[0];
  if (!file) return;
  void show(file.arrayBuffer().then((b) => bridge.verifyDropped({ name: file.name, bytes: new Uint8Array(b) })));
});
$('open').focus();
ready();
