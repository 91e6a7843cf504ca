/** Texts of the main process (window titles, tray, message boxes), Vietnamese first. The pages have their own. */
import type { UiLanguage } from '../ui/kit/protocol.js';

const vi = {
  'title.consent': 'Kyso — Cho phép trang web',
  'title.certificate': 'Kyso — Chọn chứng thư số',
  'title.pin': 'Kyso — Nhập mã PIN',
  'title.confirm': 'Kyso — Xác nhận ký số',
  'title.placement': 'Kyso — Chọn vị trí chữ ký',
  'title.settings': 'Kyso — Cài đặt',
  'title.verify': 'Kyso — Kiểm tra chữ ký',
  'tray.starting': 'Kyso đang khởi động…',
  'tray.failed': 'Kyso không chạy được: {reason}',
  'tray.noToken': 'Kyso — chưa thấy USB token',
  'tray.tokens': 'Kyso — đã cắm {count} USB token',
  'tray.waiting': 'Kyso — có {count} yêu cầu đang chờ bạn',
  'menu.status.running': 'Kyso {version} đang chạy (cổng {port})',
  'menu.status.starting': 'Kyso {version} đang khởi động…',
  'menu.status.failed': 'Kyso {version}: lỗi — {reason}',
  'menu.pending': 'Xem yêu cầu đang chờ ({count})',
  'menu.tokens': 'USB token và chứng thư số',
  'menu.noToken': 'Chưa cắm USB token',
  'menu.noCertificate': 'Không có chứng thư số để ký',
  'menu.sites': 'Trang web được phép',
  'menu.noSites': 'Chưa cho phép trang web nào',
  'menu.revoke': 'Thu hồi quyền của {origin}',
  'menu.verify': 'Kiểm tra chữ ký…',
  'menu.settings': 'Cài đặt…',
  'menu.logs': 'Mở thư mục nhật ký',
  'menu.about': 'Phiên bản đã cài…',
  'menu.quit': 'Thoát Kyso',
  'cert.holder': 'Chủ chứng thư',
  'cert.issuer': 'Nhà cung cấp',
  'cert.validity': 'Hiệu lực',
  'cert.token': 'Token',
  'cert.serial': 'Số hiệu',
  'cert.expired': 'đã hết hạn',
  'cert.notYetValid': 'chưa có hiệu lực',
  'about.title': 'Kyso',
  'about.message': 'Kyso {version}',
  'about.detail': 'Ký số tài liệu bằng USB token trên cổng dịch vụ công.\nElectron {electron}, Node.js {node}, Chromium {chrome}.',
  'revoked': 'Đã thu hồi quyền của {origin}.',
  'error.title': 'Kyso',
  'error.secretsUnavailable': 'Máy này không có kho khoá an toàn nên Kyso không lưu mật khẩu máy chủ dấu thời gian.',
  'error.portInUse': 'cổng {port} đang được chương trình khác dùng',
  'file.module': 'Chọn trình điều khiển PKCS#11 của USB token',
  'file.libraries': 'Thư viện PKCS#11',
  'file.document': 'Chọn tài liệu đã ký để kiểm tra',
  'file.documents': 'Tài liệu PDF, Word, Excel, PowerPoint',
  'file.saveRevision': 'Lưu phiên bản đã ký',
  'file.pdf': 'Tài liệu PDF',
} as const;

export type AppMessageKey = keyof typeof vi;

const en: Record<AppMessageKey, string> = {
  'title.consent': 'Kyso — Allow website',
  'title.certificate': 'Kyso — Choose a certificate',
  'title.pin': 'Kyso — Enter PIN',
  'title.confirm': 'Kyso — Confirm signing',
  'title.placement': 'Kyso — Place your signature',
  'title.settings': 'Kyso — Settings',
  'title.verify': 'Kyso — Verify a document',
  'tray.starting': 'Kyso is starting…',
  'tray.failed': 'Kyso is not running: {reason}',
  'tray.noToken': 'Kyso — no USB token found',
  'tray.tokens': 'Kyso — {count} USB token(s) plugged in',
  'tray.waiting': 'Kyso — {count} request(s) waiting for you',
  'menu.status.running': 'Kyso {version} is running (port {port})',
  'menu.status.starting': 'Kyso {version} is starting…',
  'menu.status.failed': 'Kyso {version}: error — {reason}',
  'menu.pending': 'Show waiting requests ({count})',
  'menu.tokens': 'USB tokens and certificates',
  'menu.noToken': 'No USB token plugged in',
  'menu.noCertificate': 'No certificate for signing',
  'menu.sites': 'Allowed websites',
  'menu.noSites': 'No website allowed yet',
  'menu.revoke': 'Revoke {origin}',
  'menu.verify': 'Verify a document…',
  'menu.settings': 'Settings…',
  'menu.logs': 'Open log folder',
  'menu.about': 'Installed version…',
  'menu.quit': 'Quit Kyso',
  'cert.holder': 'Holder',
  'cert.issuer': 'Issuer',
  'cert.validity': 'Valid',
  'cert.token': 'Token',
  'cert.serial': 'Serial number',
  'cert.expired': 'expired',
  'cert.notYetValid': 'not yet valid',
  'about.title': 'Kyso',
  'about.message': 'Kyso {version}',
  'about.detail': 'Digital signatures with your USB token on public-service portals.\nElectron {electron}, Node.js {node}, Chromium {chrome}.',
  'revoked': '{origin} may no longer use your signature.',
  'error.title': 'Kyso',
  'error.secretsUnavailable': 'This computer has no protected key store, so Kyso does not save the timestamp server password.',
  'error.portInUse': 'port {port} is used by another program',
  'file.module': 'Choose the USB token’s PKCS#11 driver',
  'file.libraries': 'PKCS#11 libraries',
  'file.document': 'Choose a signed document to verify',
  'file.documents': 'PDF, Word, Excel, PowerPoint documents',
  'file.saveRevision': 'Save the signed revision',
  'file.pdf': 'PDF documents',
};

const tables: Record<UiLanguage, Record<AppMessageKey, string>> = { vi, en };

export function tr(lang: UiLanguage, key: AppMessageKey, params: Record<string, string | number> = {}): string {
  return tables[lang][key].replace(/\{(\w+)\}/g, (_, k: string) => String(params[k] ?? ''));
}

/** dd/MM/yyyy, as Vietnamese users read dates (both languages: the certificates are Vietnamese). */
export function formatDate(iso: string | Date): string {
  const d = typeof iso === 'string' ? new Date(iso) : iso;
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${p(d.getDate())}/${p(d.getMonth() + 1)}/${d.getFullYear()}`;
}
