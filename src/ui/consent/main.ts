/** Site consent: "<origin> muốn dùng chữ ký số của bạn". Allow / deny; Esc and closing deny. */
import type { ConsentDialogRequest, ConsentDialogResult } from '../kit/protocol.js';
import { $, armAfterDelay, dialogBridge, labels, ready, setupPage } from '../kit/page.js';

const L = labels({
  vi: {
    title: 'Cho phép trang web dùng chữ ký số?',
    wants: 'muốn dùng chữ ký số của bạn.',
    insecure: 'Trang web này không dùng kết nối an toàn (HTTPS). Chỉ cho phép nếu bạn chắc chắn đây là trang của cơ quan nhà nước.',
    explain: 'Nếu cho phép, trang web được xem danh sách chứng thư số trên USB token và gửi tài liệu để ký. Mỗi lần ký, Kyso vẫn hỏi bạn xác nhận và mã PIN chỉ nhập trong cửa sổ của Kyso.',
    revoke: 'Bạn có thể thu hồi quyền này bất cứ lúc nào trong Cài đặt của Kyso (biểu tượng Kyso ở khay hệ thống).',
    allow: 'Cho phép',
    deny: 'Từ chối',
    language: 'English',
  },
  en: {
    title: 'Allow this website to use your digital signature?',
    wants: 'wants to use your digital signature.',
    insecure: 'This website does not use a secure connection (HTTPS). Allow it only if you are sure it is a government site.',
    explain: 'If you allow it, the website can see the certificates on your USB token and send documents to sign. Kyso still asks you to confirm every signature, and the PIN is typed only in Kyso’s own window.',
    revoke: 'You can revoke this at any time in Kyso’s settings (the Kyso icon in the system tray).',
    allow: 'Allow',
    deny: 'Deny',
    language: 'Tiếng Việt',
  },
});

const bridge = dialogBridge<ConsentDialogRequest, ConsentDialogResult>();
const request = await bridge.init();

const page = setupPage(bridge, {
  language: request.language,
  render: (lang) => {
    L.apply(document, lang);
    document.title = `Kyso — ${L.t(lang, 'title')}`;
  },
});
$('origin').textContent = request.origin;
$('insecure').hidden = !request.origin.startsWith('http://') || /^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:|$)/.test(request.origin);
const allow = $<HTMLButtonElement>('allow');
const deny = $<HTMLButtonElement>('deny');
allow.addEventListener('click', () => page.submit({ allow: true }));
deny.addEventListener('click', () => page.submit({ allow: false }));
armAfterDelay([allow]);
deny.focus();
ready();
