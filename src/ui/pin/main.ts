/**
 * PIN entry: masked, for the named token and certificate holder; the tries left as the token reports them
 * (count low, final try); a locked token gets the message and no field. With the PIN cache turned on in
 * settings, "remember for N minutes" (unticked). Enter confirms, Esc cancels. The field is cleared as soon as
 * the PIN is handed over.
 */
import type { PinDialogRequest, PinDialogResult, UiLanguage } from '../kit/protocol.js';
import { $, dialogBridge, labels, ready, setupPage } from '../kit/page.js';

const L = labels({
  vi: {
    title: 'Nhập mã PIN của USB token',
    lockedTitle: 'USB token đã bị khoá',
    token: 'Token',
    holder: 'Chứng thư',
    pinLabel: 'Mã PIN',
    countLow: 'Mã PIN đã bị nhập sai trước đó. Token sẽ bị khoá nếu nhập sai thêm vài lần nữa.',
    finalTry: 'Đây là lần thử cuối cùng: nếu nhập sai, token sẽ bị khoá.',
    locked: 'Mã PIN của token đã bị khoá vì nhập sai quá nhiều lần. Hãy liên hệ nhà cung cấp chứng thư số để mở khoá.',
    capsLock: 'Phím Caps Lock đang bật.',
    remember: 'Ghi nhớ mã PIN trong {minutes} phút',
    never: 'Mã PIN chỉ được gửi tới USB token, không được lưu lại và trang web không nhìn thấy nó.',
    kept: 'Mã PIN chỉ được gửi tới USB token và trang web không nhìn thấy nó. Nếu chọn ghi nhớ, Kyso giữ nó trong bộ nhớ đến hết thời gian trên, khi rút token hoặc khoá máy.',
    cancel: 'Huỷ',
    ok: 'Đồng ý',
    close: 'Đóng',
    language: 'English',
    remotePassword: 'Mật khẩu tài khoản ký số từ xa',
    'remoteClient-secret': 'Mã bí mật của dịch vụ ký số từ xa',
    'remoteCredential-pin': 'Mã PIN của chứng thư ký số từ xa',
    provider: 'Nhà cung cấp',
    account: 'Tài khoản',
    secretLabel: 'Mật khẩu',
    remoteNever: 'Chỉ được gửi tới {provider} để đăng nhập; Kyso không lưu lại và trang web không nhìn thấy nó.',
  },
  en: {
    title: 'Enter your USB token PIN',
    lockedTitle: 'The USB token is locked',
    token: 'Token',
    holder: 'Certificate',
    pinLabel: 'PIN',
    countLow: 'A wrong PIN was entered before. The token locks after a few more wrong tries.',
    finalTry: 'This is the last try: a wrong PIN locks the token.',
    locked: 'The token’s PIN is locked after too many wrong tries. Contact your certificate provider to unblock it.',
    capsLock: 'Caps Lock is on.',
    remember: 'Remember the PIN for {minutes} minutes',
    never: 'The PIN goes only to the USB token; it is not stored and the website never sees it.',
    kept: 'The PIN goes only to the USB token and the website never sees it. If you tick «Remember», Kyso keeps it in memory until the time above is up, the token is pulled out or the computer locks.',
    cancel: 'Cancel',
    ok: 'OK',
    close: 'Close',
    language: 'Tiếng Việt',
    remotePassword: 'Remote signing account password',
    'remoteClient-secret': 'Remote signing service secret',
    'remoteCredential-pin': 'Remote signing certificate PIN',
    provider: 'Provider',
    account: 'Account',
    secretLabel: 'Password',
    remoteNever: 'Sent only to {provider} to sign in; Kyso does not keep it and the website never sees it.',
  },
});

const bridge = dialogBridge<PinDialogRequest, PinDialogResult>();
const request = await bridge.init();
const locked = request.pinState === 'locked';
const input = $<HTMLInputElement>('pin');
const ok = $<HTMLButtonElement>('ok');

function render(lang: UiLanguage): void {
  L.apply(document, lang);
  const remote = request.remote;
  const title = remote ? L.t(lang, remote.secret === 'password' ? 'remotePassword' : remote.secret === 'client-secret' ? 'remoteClient-secret' : 'remoteCredential-pin')
    : L.t(lang, locked ? 'lockedTitle' : 'title');
  $('title').textContent = title;
  if (remote) {
    // The same masked field, for a remote service's secret: the labels say whose, and nothing is remembered.
    $('token-label').textContent = L.t(lang, 'provider');
    $('holder-label').textContent = L.t(lang, 'account');
    if (remote.secret !== 'credential-pin') $('pin-label').textContent = remote.label ?? L.t(lang, 'secretLabel');
    else if (remote.label) $('pin-label').textContent = remote.label;
  }
  document.title = `Kyso — ${title}`;
  $('remember-label').textContent = L.t(lang, 'remember', { minutes: request.cacheMinutes });
  $('note').textContent = request.remote ? L.t(lang, 'remoteNever', { provider: request.remote.provider }) : L.t(lang, request.cacheMinutes > 0 ? 'kept' : 'never');
  if (locked) $('cancel').textContent = L.t(lang, 'close');
}

const page = setupPage(bridge, { language: request.language, render });
$('token').textContent = request.token;
$('holder').textContent = request.holder ?? '';
$('holder').hidden = $('holder-label').hidden = !request.holder;
$('count-low').hidden = request.pinState !== 'count-low';
$('final-try').hidden = request.pinState !== 'final-try';
$('locked').hidden = !locked;
$('remember-row').hidden = locked || request.cacheMinutes <= 0;
if (request.maxLength) input.maxLength = request.maxLength;
if (request.minLength) input.minLength = request.minLength;

const update = (): void => { ok.disabled = locked || input.value.length === 0; };
input.addEventListener('input', update);
const caps = (e: KeyboardEvent): void => { $('caps').hidden = !e.getModifierState?.('CapsLock'); };
input.addEventListener('keydown', caps);
input.addEventListener('keyup', caps);

$('form').addEventListener('submit', (e) => {
  e.preventDefault();
  if (locked || !input.value) return;
  const pin = input.value;
  input.value = '';
  update();
  page.submit({ pin, remember: $<HTMLInputElement>('remember').checked && request.cacheMinutes > 0 });
});
$('cancel').addEventListener('click', () => { input.value = ''; page.cancel(); });

if (locked) {
  $('form').hidden = true;
  ok.hidden = true;
  $('cancel').focus();
} else {
  input.focus();
}
update();
ready();
