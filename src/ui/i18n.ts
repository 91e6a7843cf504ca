/** Labels of the dialog pages, Vietnamese first; English when the host or the user asks for it. */
import type { UiLanguage } from './bridge.js';

const vi = {
  title: 'Chọn vị trí chữ ký',
  originAsks: 'Trang web {origin} yêu cầu ký tài liệu {file}',
  fileAsks: 'Tài liệu: {file}',
  pages: 'Các trang',
  page: 'Trang',
  pageOf: 'Trang {n} / {total}',
  previousPage: 'Trang trước',
  nextPage: 'Trang sau',
  zoomIn: 'Phóng to',
  zoomOut: 'Thu nhỏ',
  fitWidth: 'Vừa chiều rộng',
  placeBox: 'Đặt khung chữ ký',
  hint: 'Kéo chuột trên trang (hoặc bấm «Đặt khung chữ ký») để có khung chữ ký; kéo khung để di chuyển, kéo góc để đổi kích thước. Phím mũi tên: di chuyển (Shift: nhanh hơn, Alt: đổi kích thước). Enter: ký, Esc: huỷ.',
  box: 'Khung chữ ký',
  noBox: 'Hãy vẽ khung chữ ký trên trang.',
  appearance: 'Hiển thị',
  showSigner: 'Người ký',
  showEmail: 'Email',
  showOrganization: 'Cơ quan',
  showUnit: 'Đơn vị',
  showTitle: 'Chức vụ',
  showTime: 'Thời gian ký',
  showReason: 'Lý do',
  showLocation: 'Nơi ký',
  mode: 'Kiểu chữ ký',
  modeText: 'Chỉ chữ',
  modeImageText: 'Ảnh và chữ',
  modeImage: 'Chỉ ảnh',
  image: 'Ảnh chữ ký (PNG, JPG)',
  removeImage: 'Bỏ ảnh',
  badImage: 'Chỉ dùng được ảnh PNG hoặc JPG.',
  fontSize: 'Cỡ chữ tối đa',
  bold: 'Chữ đậm',
  upperCase: 'Chữ in hoa',
  border: 'Khung viền',
  text: 'Nội dung thêm',
  where: 'Đặt chữ ký trên',
  thisPage: 'Trang này',
  allPages: 'Tất cả các trang',
  confirm: 'Ký số',
  cancel: 'Huỷ',
  language: 'English',
  loading: 'Đang mở tài liệu…',
  loadFailed: 'Không mở được tài liệu.',
} as const;

export type MessageKey = keyof typeof vi;

const en: Record<MessageKey, string> = {
  title: 'Place your signature',
  originAsks: '{origin} asks you to sign {file}',
  fileAsks: 'Document: {file}',
  pages: 'Pages',
  page: 'Page',
  pageOf: 'Page {n} of {total}',
  previousPage: 'Previous page',
  nextPage: 'Next page',
  zoomIn: 'Zoom in',
  zoomOut: 'Zoom out',
  fitWidth: 'Fit width',
  placeBox: 'Place signature box',
  hint: 'Drag on the page (or press «Place signature box») to get the signature box; drag the box to move it, its corners to resize. Arrow keys move it (Shift: faster, Alt: resize). Enter signs, Esc cancels.',
  box: 'Signature box',
  noBox: 'Draw the signature box on the page.',
  appearance: 'Show',
  showSigner: 'Signer',
  showEmail: 'Email',
  showOrganization: 'Organization',
  showUnit: 'Unit',
  showTitle: 'Title',
  showTime: 'Signing time',
  showReason: 'Reason',
  showLocation: 'Location',
  mode: 'Signature style',
  modeText: 'Text only',
  modeImageText: 'Image and text',
  modeImage: 'Image only',
  image: 'Signature image (PNG, JPG)',
  removeImage: 'Remove image',
  badImage: 'Only PNG or JPG images can be used.',
  fontSize: 'Largest font size',
  bold: 'Bold',
  upperCase: 'Upper case',
  border: 'Frame',
  text: 'Extra text',
  where: 'Sign on',
  thisPage: 'This page',
  allPages: 'All pages',
  confirm: 'Sign',
  cancel: 'Cancel',
  language: 'Tiếng Việt',
  loading: 'Opening the document…',
  loadFailed: 'The document could not be opened.',
};

const tables: Record<UiLanguage, Record<MessageKey, string>> = { vi, en };

export function t(lang: UiLanguage, key: MessageKey, params: Record<string, string | number> = {}): string {
  return tables[lang][key].replace(/\{(\w+)\}/g, (_, k: string) => String(params[k] ?? ''));
}

/** Fills every element with `data-i18n` (text), `data-i18n-title` / `data-i18n-aria` (attributes). */
export function applyLabels(root: ParentNode, lang: UiLanguage): void {
  root.querySelectorAll<HTMLElement>('[data-i18n]').forEach((el) => { el.textContent = t(lang, el.dataset.i18n as MessageKey); });
  root.querySelectorAll<HTMLElement>('[data-i18n-title]').forEach((el) => { el.title = t(lang, el.dataset.i18nTitle as MessageKey); });
  root.querySelectorAll<HTMLElement>('[data-i18n-aria]').forEach((el) => { el.setAttribute('aria-label', t(lang, el.dataset.i18nAria as MessageKey)); });
  document.documentElement.lang = lang;
}
