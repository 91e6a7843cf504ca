/**
 * Confirmation of each signature: the site, every file with its size, the certificate that will sign.
 * "Ký số" is armed after a moment so a keypress meant for the browser cannot confirm; Esc cancels.
 */
import type { ConfirmDialogRequest, ConfirmDialogResult, UiLanguage } from '../kit/protocol.js';
import { $, armAfterDelay, dialogBridge, el, formatDate, formatSize, identifiers, labels, ready, setupPage } from '../kit/page.js';

const L = labels({
  vi: {
    title: 'Xác nhận ký số',
    site: 'Trang web',
    asksOne: 'yêu cầu ký tài liệu:',
    asksMany: 'yêu cầu ký {count} tài liệu:',
    with: 'bằng chứng thư số:',
    issuer: 'Nhà cung cấp: {issuer}',
    validity: 'Hiệu lực: {from} – {to}',
    after: 'Sau khi bạn bấm «Ký số», Kyso hỏi mã PIN của USB token (nếu cần) rồi ký và trả tài liệu đã ký cho trang web.',
    remote: 'Ký số từ xa: {provider} ({account})',
    afterRemote: 'Sau khi bạn bấm «Ký số», hãy mở ứng dụng {app} trên điện thoại để xác nhận. Chỉ mã băm của tài liệu được gửi đi, không gửi tài liệu.',
    approvals: 'Cần xác nhận {count} lần trên điện thoại.',
    cancel: 'Huỷ',
    sign: 'Ký số',
    language: 'English',
  },
  en: {
    title: 'Confirm signing',
    site: 'The website',
    asksOne: 'asks you to sign:',
    asksMany: 'asks you to sign {count} documents:',
    with: 'with the certificate:',
    issuer: 'Issuer: {issuer}',
    validity: 'Valid: {from} – {to}',
    after: 'When you press «Sign», Kyso asks for the USB token’s PIN (if needed), signs, and gives the signed document back to the website.',
    remote: 'Remote signing: {provider} ({account})',
    afterRemote: 'When you press «Sign», open {app} on your phone to approve. Only the document’s hash is sent, never the document.',
    approvals: 'This takes {count} approvals on your phone.',
    cancel: 'Cancel',
    sign: 'Sign',
    language: 'Tiếng Việt',
  },
});

const bridge = dialogBridge<ConfirmDialogRequest, ConfirmDialogResult>();
const request = await bridge.init();

function render(lang: UiLanguage): void {
  L.apply(document, lang);
  document.title = `Kyso — ${L.t(lang, 'title')}`;
  const n = request.documents.length;
  $('asks').textContent = n === 1 ? L.t(lang, 'asksOne') : L.t(lang, 'asksMany', { count: n });
  $('files').replaceChildren(...request.documents.map((d) => {
    const li = el('li');
    li.append(el('span', d.fileName, 'file'), el('span', formatSize(d.size, lang), 'size'));
    return li;
  }));
  const c = request.certificate;
  const box = $('certificate');
  box.replaceChildren(el('div', c.commonName, 'name'));
  const ids = identifiers(c.identifiers);
  if (ids) box.append(el('div', ids, 'line'));
  const org = [c.title, c.organization].filter(Boolean).join(' — ');
  if (org) box.append(el('div', org, 'line'));
  box.append(
    el('div', L.t(lang, 'issuer', { issuer: c.issuer }), 'line'),
    el('div', L.t(lang, 'validity', { from: formatDate(c.notBefore), to: formatDate(c.notAfter) }), 'line'),
    el('div', c.remote ? L.t(lang, 'remote', { provider: c.remote.provider, account: c.remote.account }) : `Token: ${c.token ?? ''}`, 'line'),
  );
  // A remote certificate: which app approves, and how many times, before the user agrees.
  const after = $('after');
  after.textContent = c.remote ? L.t(lang, 'afterRemote', { app: c.remote.app }) : L.t(lang, 'after');
  const approvals = request.approvals ?? 0;
  $('approvals').textContent = approvals > 1 ? L.t(lang, 'approvals', { count: approvals }) : '';
}

const page = setupPage(bridge, { language: request.language, render });
$('origin').textContent = request.origin;
const sign = $<HTMLButtonElement>('sign');
sign.addEventListener('click', () => page.submit({ confirmed: true }));
$('cancel').addEventListener('click', () => page.submit({ confirmed: false }));
armAfterDelay([sign]);
$('cancel').focus();
ready();
