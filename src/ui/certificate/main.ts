/**
 * Certificate picker: each certificate with its holder, CCCD/MST, organisation, issuer, validity and token.
 * Arrow keys move between them (a radio group), Enter chooses, a double click chooses, Esc cancels. Expired
 * and not-yet-valid certificates are shown but cannot be chosen.
 */
import type { CertificateDialogRequest, CertificateDialogResult, CertificateView, UiLanguage } from '../kit/protocol.js';
import { $, dialogBridge, el, formatDate, identifiers, labels, ready, setupPage } from '../kit/page.js';

const L = labels({
  vi: {
    title: 'Chọn chứng thư số để ký',
    asks: 'Yêu cầu từ',
    issuer: 'Nhà cung cấp: {issuer}',
    validity: 'Hiệu lực: {from} – {to}',
    token: 'Token: {token} · {key}',
    remote: 'Ký số từ xa: {provider} ({account}) · xác nhận trên {app}',
    expired: 'Hết hạn',
    notYetValid: 'Chưa có hiệu lực',
    hint: '↑↓ để chọn, Enter để đồng ý',
    cancel: 'Huỷ',
    choose: 'Chọn',
    language: 'English',
  },
  en: {
    title: 'Choose the certificate to sign with',
    asks: 'Requested by',
    issuer: 'Issuer: {issuer}',
    validity: 'Valid: {from} – {to}',
    token: 'Token: {token} · {key}',
    remote: 'Remote signing: {provider} ({account}) · approved in {app}',
    expired: 'Expired',
    notYetValid: 'Not yet valid',
    hint: '↑↓ to choose, Enter to confirm',
    cancel: 'Cancel',
    choose: 'Choose',
    language: 'Tiếng Việt',
  },
});

const bridge = dialogBridge<CertificateDialogRequest, CertificateDialogResult>();
const request = await bridge.init();
const list = $('list');

function card(c: CertificateView, lang: UiLanguage, index: number): HTMLLabelElement {
  const label = el('label', undefined, 'card cert');
  label.dataset.id = c.id;
  const radio = el('input');
  radio.type = 'radio';
  radio.name = 'certificate';
  radio.value = c.id;
  radio.id = `cert-${index}`;
  radio.disabled = c.state !== 'valid';
  if (radio.disabled) label.classList.add('unusable');
  const body = el('div');
  const name = el('div', c.commonName, 'name');
  if (c.state !== 'valid') name.append(el('span', L.t(lang, c.state === 'expired' ? 'expired' : 'notYetValid'), 'badge bad'));
  body.append(name);
  const ids = identifiers(c.identifiers);
  if (ids) body.append(el('div', ids, 'line ids'));
  const org = [c.title, c.organization].filter(Boolean).join(' — ');
  if (org) body.append(el('div', org, 'line'));
  body.append(el('div', L.t(lang, 'issuer', { issuer: c.issuer }), 'line'));
  body.append(el('div', L.t(lang, 'validity', { from: formatDate(c.notBefore), to: formatDate(c.notAfter) }), 'line'));
  body.append(c.remote
    ? el('div', L.t(lang, 'remote', { provider: c.remote.provider, account: c.remote.account, app: c.remote.app }), 'line remote')
    : el('div', L.t(lang, 'token', { token: c.token ?? '', key: c.key }), 'line'));
  label.append(radio, body);
  label.addEventListener('dblclick', () => { if (!radio.disabled) { radio.checked = true; choose(); } });
  return label;
}

function selected(): string | undefined {
  return list.querySelector<HTMLInputElement>('input[name="certificate"]:checked')?.value;
}

function render(lang: UiLanguage): void {
  const keep = selected();
  L.apply(document, lang);
  document.title = `Kyso — ${L.t(lang, 'title')}`;
  list.replaceChildren(...request.certificates.map((c, i) => card(c, lang, i)));
  const radios = [...list.querySelectorAll<HTMLInputElement>('input[name="certificate"]')];
  const pick = radios.find((r) => r.value === keep) ?? radios.find((r) => !r.disabled);
  if (pick) pick.checked = true;
  updateButton();
}

function updateButton(): void {
  $<HTMLButtonElement>('choose').disabled = !selected();
}

const page = setupPage(bridge, { language: request.language, render });
$('origin').textContent = request.origin;
function choose(): void {
  const id = selected();
  if (id) page.submit({ certificateId: id });
}
list.addEventListener('change', updateButton);
list.addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); choose(); } });
$('form').addEventListener('submit', (e) => { e.preventDefault(); choose(); });
$('cancel').addEventListener('click', () => page.cancel());
list.querySelector<HTMLInputElement>('input:checked')?.focus();
ready();
