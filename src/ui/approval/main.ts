/**
 * Remote signing: the provider is asking the user's phone. Says which app to open, the short code the phone shows
 * too (so the person can tell it is this request), how long the provider waits, and offers Cancel, which stops the
 * request. The window has no other answer; Kyso closes it when the phone answers or the wait ends.
 */
import type { ApprovalDialogRequest, ApprovalDialogResult, UiLanguage } from '../kit/protocol.js';
import { $, dialogBridge, labels, ready, setupPage } from '../kit/page.js';

const L = labels({
  vi: {
    title: 'Xác nhận trên điện thoại',
    open: 'Mở ứng dụng {app} trên điện thoại để xác nhận',
    whatOne: '{provider} ({account}) — {holder}: ký 1 tài liệu.',
    whatMany: '{provider} ({account}) — {holder}: ký {count} tài liệu trong một lần xác nhận.',
    step: 'Lần xác nhận {index}/{of}.',
    code: 'Mã xác nhận:',
    left: 'Còn lại:',
    expired: 'đã hết thời gian',
    cancel: 'Huỷ',
    language: 'English',
  },
  en: {
    title: 'Approve on your phone',
    open: 'Open {app} on your phone to confirm',
    whatOne: '{provider} ({account}) — {holder}: signing 1 document.',
    whatMany: '{provider} ({account}) — {holder}: signing {count} documents with one approval.',
    step: 'Approval {index} of {of}.',
    code: 'Code:',
    left: 'Time left:',
    expired: 'time is up',
    cancel: 'Cancel',
    language: 'Tiếng Việt',
  },
});

const bridge = dialogBridge<ApprovalDialogRequest, ApprovalDialogResult>();
const request = await bridge.init();
const expiresAt = Date.parse(request.expiresAt);

/** "m:ss" left until the provider stops waiting; null once it has. */
function left(now: number): string | null {
  const s = Math.ceil((expiresAt - now) / 1000);
  if (!(s > 0)) return null;
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

function tick(lang: UiLanguage): void {
  const text = left(Date.now());
  $('countdown').textContent = text ?? L.t(lang, 'expired');
  $('countdown').parentElement!.classList.toggle('expired', text === null);
  document.body.dataset.expired = String(text === null);
}

function render(lang: UiLanguage): void {
  L.apply(document, lang);
  document.title = `Kyso — ${L.t(lang, 'title')}`;
  $('open').textContent = L.t(lang, 'open', { app: request.app });
  const params = { provider: request.provider, account: request.account, holder: request.holder, count: request.documents };
  $('what').textContent = L.t(lang, request.documents === 1 ? 'whatOne' : 'whatMany', params);
  $('step').textContent = request.approval.of > 1 ? L.t(lang, 'step', { index: request.approval.index, of: request.approval.of }) : '';
  if (request.code) {
    $('code').textContent = request.code;
    $('code-box').hidden = false;
  }
  tick(lang);
}

const page = setupPage(bridge, { language: request.language, render });
$('cancel').addEventListener('click', () => page.cancel());
// The countdown follows the clock; the provider's own deadline decides, this only shows it.
setInterval(() => tick(page.language()), 1000);
$('cancel').focus();
ready();
