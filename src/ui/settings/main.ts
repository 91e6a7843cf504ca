/**
 * Settings: language and autostart, allowed sites (revoke), PKCS#11 module paths (added only through the
 * OS file dialog), extra trust anchors for verifying signatures (a certificate file picked in the OS file dialog,
 * read and validated by the host: the page sees names and fingerprints), default TSA with account (password kept by the OS store, never shown back), default
 * appearance, PIN cache (off by default), port and log level, remote signing accounts (remote-accounts.ts). Saved as a whole; Esc or "Huỷ" changes nothing.
 */
import type { KysoSettingsBridge, LogLevel, SettingsDialogRequest, SettingsDialogResult, TrustAnchorView, UiLanguage } from '../kit/protocol.js';
import { $, dialogBridge, el, formatDate, labels, ready, setupPage } from '../kit/page.js';
import { remoteAccountsSection } from './remote-accounts.js';

type ShowKey = 'signer' | 'organization' | 'organizationalUnit' | 'title' | 'email' | 'time';

const L = labels({
  vi: {
    title: 'Cài đặt Kyso',
    switchLanguage: 'English',
    general: 'Chung',
    languageLabel: 'Ngôn ngữ',
    autostart: 'Khởi động Kyso cùng máy tính',
    sites: 'Trang web được phép dùng chữ ký số',
    noSites: 'Chưa cho phép trang web nào.',
    localCert: 'Kết nối mã hoá với trình duyệt',
    localCertNote: 'Chứng thư cục bộ chỉ dùng cho máy này, để trình duyệt (nhất là Safari) kết nối với Kyso bằng https/wss. Khoá bí mật của CA đã bị xoá ngay khi tạo.',
    localCertPresent: '{name} — hiệu lực đến {date}',
    localCertAbsent: 'Chưa có chứng thư cục bộ: trình duyệt chỉ kết nối được bằng ws:// (Safari không dùng được).',
    localCertTrusted: 'Đã tin cậy',
    localCertNotTrusted: 'Chưa tin cậy',
    localCertInstall: 'Thêm lại vào trình duyệt…',
    localCertFailed: 'Không thêm được chứng thư: {reason}',
    vnptCompat: 'Cho phép các trang web viết cho VNPT-CA Plugin dùng Kyso (mỗi trang vẫn phải được bạn cho phép)',
    since: 'từ {date}',
    revoke: 'Thu hồi',
    undo: 'Hoàn tác',
    modules: 'Trình điều khiển USB token (PKCS#11)',
    modulesNote: 'Kyso tự tìm trình điều khiển của các nhà cung cấp phổ biến. Chỉ thêm ở đây nếu token của bạn không được nhận.',
    addModule: 'Thêm trình điều khiển…',
    remove: 'Gỡ',
    anchors: 'Chứng thư gốc tin cậy khi kiểm tra chữ ký',
    anchorsNote: 'Dùng khi kiểm tra chữ ký số, ngoài các chứng thư gốc có sẵn trong Kyso. Chỉ thêm chứng thư gốc khi bạn đã đối chiếu dấu vân tay (SHA-256) với nơi phát hành.',
    addAnchor: 'Thêm chứng thư gốc…',
    anchorUntil: 'hiệu lực đến {date}',
    anchorFailed: 'Không thêm được: {reason}',
    tsa: 'Máy chủ dấu thời gian (TSA) mặc định',
    tsaUrl: 'Địa chỉ',
    tsaUser: 'Tài khoản',
    tsaPassword: 'Mật khẩu',
    tsaSaved: '(đã lưu — để trống nếu không đổi)',
    tsaForget: 'Xoá mật khẩu đã lưu',
    noSecrets: 'Máy này không có kho khoá an toàn nên Kyso không thể lưu mật khẩu máy chủ dấu thời gian.',
    badUrl: 'Địa chỉ máy chủ dấu thời gian phải bắt đầu bằng http:// hoặc https://',
    appearance: 'Chữ ký hiển thị mặc định',
    showSigner: 'Người ký',
    showOrganization: 'Cơ quan',
    showUnit: 'Đơn vị',
    showTitle: 'Chức vụ',
    showEmail: 'Email',
    showTime: 'Thời gian ký',
    bold: 'Chữ đậm',
    upperCase: 'Chữ in hoa',
    border: 'Khung viền',
    fontSize: 'Cỡ chữ tối đa',
    auto: 'tự động',
    security: 'Mã PIN',
    pinCache: 'Ghi nhớ mã PIN',
    pinCacheOff: 'Không ghi nhớ (khuyên dùng)',
    pinCacheMinutes: '{minutes} phút',
    pinCacheNote: 'Khi bật, Kyso chỉ giữ mã PIN trong bộ nhớ khi bạn chọn «Ghi nhớ» ở cửa sổ nhập PIN, và quên ngay khi hết thời gian, khi rút token hoặc khoá máy.',
    advanced: 'Nâng cao',
    port: 'Cổng kết nối',
    portDefault: 'mặc định ({port})',
    badPort: 'Cổng phải là số từ 1024 đến 65535, hoặc để trống.',
    logLevel: 'Mức ghi nhật ký',
    logError: 'Chỉ lỗi',
    logWarn: 'Cảnh báo',
    logInfo: 'Thông thường',
    logDebug: 'Chi tiết (gỡ lỗi)',
    version: 'Kyso {version}',
    cancel: 'Huỷ',
    save: 'Lưu',
  },
  en: {
    title: 'Kyso settings',
    switchLanguage: 'Tiếng Việt',
    general: 'General',
    languageLabel: 'Language',
    autostart: 'Start Kyso with the computer',
    sites: 'Websites allowed to use your digital signature',
    noSites: 'No website allowed yet.',
    localCert: 'Encrypted connection with browsers',
    localCertNote: 'A local certificate for this computer only, so that browsers (Safari above all) reach Kyso over https/wss. Its CA key was deleted as soon as it was made.',
    localCertPresent: '{name} — valid until {date}',
    localCertAbsent: 'No local certificate: browsers can reach Kyso over ws:// only (not Safari).',
    localCertTrusted: 'Trusted',
    localCertNotTrusted: 'Not trusted',
    localCertInstall: 'Add to the browsers again…',
    localCertFailed: 'The certificate could not be added: {reason}',
    vnptCompat: 'Let websites written for the VNPT-CA Plugin use Kyso (each site still needs your permission)',
    since: 'since {date}',
    revoke: 'Revoke',
    undo: 'Undo',
    modules: 'USB token drivers (PKCS#11)',
    modulesNote: 'Kyso finds the drivers of the usual vendors by itself. Add one here only if your token is not recognised.',
    addModule: 'Add driver…',
    remove: 'Remove',
    anchors: 'Trusted roots for verifying signatures',
    anchorsNote: 'Used when verifying signatures, besides the roots built into Kyso. Add a root only after checking its SHA-256 fingerprint with its publisher.',
    addAnchor: 'Add a root certificate…',
    anchorUntil: 'valid until {date}',
    anchorFailed: 'Could not add it: {reason}',
    tsa: 'Default timestamp server (TSA)',
    tsaUrl: 'Address',
    tsaUser: 'Account',
    tsaPassword: 'Password',
    tsaSaved: '(saved — leave empty to keep)',
    tsaForget: 'Forget the saved password',
    noSecrets: 'This computer has no protected key store, so Kyso cannot keep the timestamp server password.',
    badUrl: 'The timestamp server address must start with http:// or https://',
    appearance: 'Default visible signature',
    showSigner: 'Signer',
    showOrganization: 'Organization',
    showUnit: 'Unit',
    showTitle: 'Title',
    showEmail: 'Email',
    showTime: 'Signing time',
    bold: 'Bold',
    upperCase: 'Upper case',
    border: 'Frame',
    fontSize: 'Largest font size',
    auto: 'automatic',
    security: 'PIN',
    pinCache: 'Remember the PIN',
    pinCacheOff: 'Never (recommended)',
    pinCacheMinutes: '{minutes} minutes',
    pinCacheNote: 'When on, Kyso keeps the PIN in memory only when you tick «Remember» in the PIN window, and forgets it when the time is up, the token is pulled out or the computer locks.',
    advanced: 'Advanced',
    port: 'Connection port',
    portDefault: 'default ({port})',
    badPort: 'The port must be a number from 1024 to 65535, or empty.',
    logLevel: 'Log level',
    logError: 'Errors only',
    logWarn: 'Warnings',
    logInfo: 'Normal',
    logDebug: 'Detailed (debugging)',
    version: 'Kyso {version}',
    cancel: 'Cancel',
    save: 'Save',
  },
});

const bridge = dialogBridge<SettingsDialogRequest, SettingsDialogResult, KysoSettingsBridge>();
const request = await bridge.init();
const s = request.settings;
const modules = [...s.modulePaths];
const anchors: TrustAnchorView[] = [...(s.trustAnchors ?? [])];
const revoked = new Set<string>();
let localCert = request.localCertificate;
const show = (key: ShowKey): HTMLInputElement => document.querySelector<HTMLInputElement>(`[data-show="${key}"]`)!;
const SHOW_DEFAULTS: Record<ShowKey, boolean> = { signer: true, organization: true, organizationalUnit: false, title: false, email: false, time: true };

function renderModules(lang: UiLanguage): void {
  $('modules').replaceChildren(...modules.map((m, i) => {
    const li = el('li');
    const remove = el('button', L.t(lang, 'remove'), 'small');
    remove.type = 'button';
    remove.dataset.index = String(i);
    remove.addEventListener('click', () => { modules.splice(i, 1); renderModules(page.language()); });
    li.append(el('span', m, 'text'), remove);
    return li;
  }));
}

/** The fingerprint as people compare it: upper-case byte pairs, colon-separated. */
const colons = (hex: string): string => hex.toUpperCase().match(/../g)?.join(':') ?? hex;

function renderAnchors(lang: UiLanguage): void {
  $('anchors').replaceChildren(...anchors.map((a, i) => {
    const li = el('li');
    li.dataset.fingerprint = a.fingerprint;
    const remove = el('button', L.t(lang, 'remove'), 'small');
    remove.type = 'button';
    remove.addEventListener('click', () => { anchors.splice(i, 1); renderAnchors(page.language()); $('add-anchor').focus(); });
    const text = el('span', a.name, 'text');
    const fp = el('code', `SHA-256 ${colons(a.fingerprint)}`, 'fingerprint');
    li.append(text, ...(a.notAfter ? [el('span', L.t(lang, 'anchorUntil', { date: formatDate(a.notAfter) }), 'since')] : []), remove, fp);
    return li;
  }));
}

function renderSites(lang: UiLanguage): void {
  $('no-sites').hidden = request.sites.length > 0;
  $('sites').replaceChildren(...request.sites.map((site) => {
    const li = el('li');
    li.dataset.origin = site.origin;
    li.classList.toggle('revoked', revoked.has(site.origin));
    li.append(el('span', site.origin, 'text'));
    if (site.since) li.append(el('span', L.t(lang, 'since', { date: formatDate(site.since) }), 'since'));
    const b = el('button', L.t(lang, revoked.has(site.origin) ? 'undo' : 'revoke'), 'small');
    b.type = 'button';
    b.addEventListener('click', () => {
      if (revoked.has(site.origin)) revoked.delete(site.origin); else revoked.add(site.origin);
      renderSites(page.language());
      document.querySelector<HTMLButtonElement>(`#sites li[data-origin="${CSS.escape(site.origin)}"] button`)?.focus();
    });
    li.append(b);
    return li;
  }));
}

function renderLocalCert(lang: UiLanguage): void {
  $('local-cert').hidden = localCert === undefined;
  if (!localCert) return;
  $('local-cert-summary').textContent = localCert.present && localCert.caName && localCert.notAfter
    ? L.t(lang, 'localCertPresent', { name: localCert.caName, date: formatDate(localCert.notAfter) })
    : L.t(lang, 'localCertAbsent');
  $('local-cert-stores').replaceChildren(...localCert.stores.map((st) => {
    const li = el('li');
    li.dataset.installed = String(st.installed);
    li.append(el('span', st.label, 'text'), el('span', L.t(lang, st.installed ? 'localCertTrusted' : 'localCertNotTrusted'), 'since'));
    return li;
  }));
}

function render(lang: UiLanguage): void {
  L.apply(document, lang);
  document.title = `Kyso — ${L.t(lang, 'title')}`;
  $('version').textContent = L.t(lang, 'version', { version: request.version });
  const pin = $<HTMLSelectElement>('pin-cache');
  const chosen = pin.value || String(s.pinCacheMinutes);
  pin.replaceChildren(...request.pinCacheChoices.map((m) => {
    const o = el('option', m === 0 ? L.t(lang, 'pinCacheOff') : L.t(lang, 'pinCacheMinutes', { minutes: m }));
    o.value = String(m);
    return o;
  }));
  pin.value = chosen;
  $<HTMLInputElement>('port').placeholder = request.defaultPort ? L.t(lang, 'portDefault', { port: request.defaultPort }) : '';
  $<HTMLInputElement>('tsa-password').placeholder = s.tsa.hasPassword ? L.t(lang, 'tsaSaved') : '';
  renderModules(lang);
  renderAnchors(lang);
  renderSites(lang);
  renderLocalCert(lang);
  remote?.render(lang);
}

// Built before the first render (setupPage renders at once); its language follows the page's switch.
let currentLanguage: UiLanguage = request.language;
const remote = request.remote ? remoteAccountsSection($('remote'), request.remote, () => currentLanguage) : undefined;
const page = setupPage(bridge, { language: request.language, render: (lang) => { currentLanguage = lang; render(lang); } });

// Fill the form.
$<HTMLSelectElement>('ui-language').value = s.language;
$<HTMLInputElement>('autostart').checked = s.autostart;
$<HTMLInputElement>('vnpt-compat').checked = s.vnptCompat;
$<HTMLInputElement>('tsa-url').value = s.tsa.url;
$<HTMLInputElement>('tsa-user').value = s.tsa.username;
$('forget-row').hidden = !s.tsa.hasPassword;
$('no-secrets').hidden = request.secretsAvailable;
$<HTMLInputElement>('tsa-password').disabled = !request.secretsAvailable;
for (const key of Object.keys(SHOW_DEFAULTS) as ShowKey[]) show(key).checked = s.appearance.show?.[key] ?? SHOW_DEFAULTS[key];
$<HTMLInputElement>('bold').checked = s.appearance.bold ?? false;
$<HTMLInputElement>('upper').checked = s.appearance.upperCase ?? false;
$<HTMLInputElement>('border').checked = s.appearance.border ?? false;
$<HTMLInputElement>('font-size').value = s.appearance.fontSize !== undefined ? String(s.appearance.fontSize) : '';
$<HTMLSelectElement>('pin-cache').value = String(s.pinCacheMinutes);
$<HTMLInputElement>('port').value = s.port !== null ? String(s.port) : '';
$<HTMLSelectElement>('log-level').value = s.logLevel;

$('port').addEventListener('input', () => { $('port-error').hidden = true; });
$('tsa-url').addEventListener('input', () => { $('tsa-error').hidden = true; });
$('local-cert-install').addEventListener('click', async () => {
  const button = $<HTMLButtonElement>('local-cert-install');
  button.disabled = true;
  $('local-cert-error').hidden = true;
  try {
    localCert = await bridge.installLocalCertificate();
  } catch (e) {
    $('local-cert-error').textContent = L.t(page.language(), 'localCertFailed', { reason: e instanceof Error ? e.message : String(e) });
    $('local-cert-error').hidden = false;
  } finally {
    button.disabled = false;
  }
  renderLocalCert(page.language());
  button.focus();
});
$('add-module').addEventListener('click', async () => {
  const file = await bridge.chooseModule();
  if (file && !modules.includes(file)) modules.push(file);
  renderModules(page.language());
  $('add-module').focus();
});

$('add-anchor').addEventListener('click', async () => {
  const button = $<HTMLButtonElement>('add-anchor');
  button.disabled = true;
  $('anchor-error').hidden = true;
  try {
    const added = await bridge.addTrustAnchor();
    for (const a of added ?? []) if (!anchors.some((x) => x.fingerprint === a.fingerprint)) anchors.push(a);
  } catch (e) {
    $('anchor-error').textContent = L.t(page.language(), 'anchorFailed', { reason: e instanceof Error ? e.message : String(e) });
    $('anchor-error').hidden = false;
  } finally {
    button.disabled = false;
  }
  renderAnchors(page.language());
  button.focus();
});

/** Reads the form; null (with the faulty field marked and focused) when something is wrong. */
function collect(): SettingsDialogResult | null {
  const url = $<HTMLInputElement>('tsa-url').value.trim();
  const urlOk = url === '' || /^https?:\/\/\S+$/i.test(url);
  $('tsa-error').hidden = urlOk;
  const portText = $<HTMLInputElement>('port').value.trim();
  const port = portText === '' ? null : Number(portText);
  const portOk = port === null || (Number.isInteger(port) && port >= 1024 && port <= 65535);
  $('port-error').hidden = portOk;
  if (!urlOk) { $('tsa-url').focus(); return null; }
  if (!portOk) { $('port').focus(); return null; }
  const password = $<HTMLInputElement>('tsa-password').value;
  const forget = $<HTMLInputElement>('tsa-forget').checked;
  const fontText = $<HTMLInputElement>('font-size').value.trim();
  const fontSize = fontText === '' ? undefined : Math.min(24, Math.max(4, Number(fontText)));
  const showAll = Object.fromEntries((Object.keys(SHOW_DEFAULTS) as ShowKey[]).map((k) => [k, show(k).checked])) as Record<ShowKey, boolean>;
  const remoteChange = remote?.change();
  return {
    language: $<HTMLSelectElement>('ui-language').value as UiLanguage,
    modulePaths: [...modules],
    tsa: {
      url,
      username: $<HTMLInputElement>('tsa-user').value.trim(),
      ...(forget ? { password: null } : password && request.secretsAvailable ? { password } : {}),
    },
    appearance: {
      show: showAll,
      bold: $<HTMLInputElement>('bold').checked,
      upperCase: $<HTMLInputElement>('upper').checked,
      border: $<HTMLInputElement>('border').checked,
      ...(fontSize !== undefined && Number.isFinite(fontSize) ? { fontSize } : {}),
    },
    port,
    pinCacheMinutes: Number($<HTMLSelectElement>('pin-cache').value),
    logLevel: $<HTMLSelectElement>('log-level').value as LogLevel,
    autostart: $<HTMLInputElement>('autostart').checked,
    vnptCompat: $<HTMLInputElement>('vnpt-compat').checked,
    revokedSites: [...revoked],
    trustAnchors: [...anchors],
    ...(remoteChange ? { remoteAccounts: remoteChange } : {}),
  };
}

$('form').addEventListener('submit', (e) => {
  e.preventDefault();
  const result = collect();
  if (result) {
    $<HTMLInputElement>('tsa-password').value = '';
    page.submit(result);
  }
});
$('cancel').addEventListener('click', () => page.cancel());
$('ui-language').focus();
ready();
