/**
 * Settings → "Chữ ký số từ xa / Remote signing": the accounts added (provider, label, partly hidden account) with
 * Remove, and a form to add one: a provider from the presets, the CCCD/MST or phone it asks for, a label. No
 * password is asked or kept here; the provider asks for what it needs when signing. Changes apply on Save.
 */
import type { RemoteAccountKind, RemoteAccountsChange, RemoteAccountsView, UiLanguage } from '../kit/protocol.js';
import { el, labels } from '../kit/page.js';
import { isValidAccount, isValidLabel, maskAccount, normalizeAccount } from '../kit/remote-account.js';

const L = labels({
  vi: {
    legend: 'Chữ ký số từ xa',
    note: 'Chứng thư số do nhà cung cấp giữ; mỗi lần ký bạn xác nhận trên ứng dụng điện thoại. Kyso không lưu mật khẩu.',
    none: 'Chưa có tài khoản nào.',
    provider: 'Nhà cung cấp',
    cccd: 'Số CCCD',
    mst: 'Mã số thuế',
    phone: 'Số điện thoại',
    'cccd-or-mst': 'Số CCCD hoặc mã số thuế',
    username: 'Tên đăng nhập',
    label: 'Tên gợi nhớ',
    labelPlaceholder: 'VD: CCCD của tôi',
    add: 'Thêm tài khoản',
    remove: 'Xoá',
    undo: 'Hoàn tác',
    pending: '(sẽ thêm khi bấm Lưu)',
    badAccount: 'Số tài khoản không đúng dạng: {what}.',
    badLabel: 'Tên gợi nhớ cần từ 1 đến 100 ký tự.',
  },
  en: {
    legend: 'Remote signing',
    note: 'The provider keeps the certificate; you approve each signature in its phone app. Kyso stores no password.',
    none: 'No account yet.',
    provider: 'Provider',
    cccd: 'CCCD number',
    mst: 'Tax code (MST)',
    phone: 'Phone number',
    'cccd-or-mst': 'CCCD number or tax code',
    username: 'User name',
    label: 'Label',
    labelPlaceholder: 'e.g. My CCCD',
    add: 'Add account',
    remove: 'Remove',
    undo: 'Undo',
    pending: '(added when you press Save)',
    badAccount: 'The account is not well formed: {what}.',
    badLabel: 'The label needs 1 to 100 characters.',
  },
});

export interface RemoteAccountsSection {
  render(lang: UiLanguage): void;
  /** What changed; null when nothing did. */
  change(): RemoteAccountsChange | null;
}

/** Builds the section inside `root` (a <fieldset>), shown only when this Kyso has remote signing. */
export function remoteAccountsSection(root: HTMLElement, view: RemoteAccountsView, language: () => UiLanguage): RemoteAccountsSection {
  const removed = new Set<string>();
  const added: Array<{ providerId: string; account: string; label: string }> = [];
  let error: { key: 'badAccount' | 'badLabel'; what?: string } | null = null;

  const legend = el('legend');
  const note = el('p', undefined, 'note');
  const list = el('ul', undefined, 'items');
  list.id = 'remote-accounts';
  const providerSelect = el('select');
  providerSelect.id = 'remote-provider';
  const accountInput = el('input');
  accountInput.id = 'remote-account';
  accountInput.type = 'text';
  accountInput.autocomplete = 'off';
  accountInput.spellcheck = false;
  const labelInput = el('input');
  labelInput.id = 'remote-label';
  labelInput.type = 'text';
  labelInput.autocomplete = 'off';
  const addButton = el('button', undefined, 'small');
  addButton.type = 'button';
  addButton.id = 'remote-add';
  const errorBox = el('p', undefined, 'alert danger');
  errorBox.id = 'remote-error';
  errorBox.setAttribute('role', 'alert');
  errorBox.hidden = true;
  const providerLabel = el('span');
  const accountLabel = el('span');
  const labelLabel = el('span');
  const row = (label: HTMLElement, input: HTMLElement): HTMLLabelElement => {
    const r = el('label', undefined, 'row');
    r.append(label, input);
    return r;
  };
  root.replaceChildren(legend, note, list, row(providerLabel, providerSelect), row(accountLabel, accountInput), row(labelLabel, labelInput), errorBox, addButton);
  root.hidden = false;

  const kind = (): RemoteAccountKind => view.providers.find((p) => p.id === providerSelect.value)?.accountKind ?? 'cccd';

  function renderList(lang: UiLanguage): void {
    const items: HTMLLIElement[] = [];
    for (const a of view.accounts) {
      const li = el('li');
      li.dataset.id = a.id;
      if (removed.has(a.id)) li.classList.add('revoked');
      const button = el('button', L.t(lang, removed.has(a.id) ? 'undo' : 'remove'), 'small');
      button.type = 'button';
      button.addEventListener('click', () => {
        if (removed.has(a.id)) removed.delete(a.id); else removed.add(a.id);
        renderList(language());
      });
      li.append(el('span', `${a.label} — ${a.provider} · ${a.account}`, 'text'), button);
      items.push(li);
    }
    added.forEach((a, i) => {
      const li = el('li', undefined, 'pending');
      const provider = view.providers.find((p) => p.id === a.providerId)?.name ?? a.providerId;
      const button = el('button', L.t(lang, 'remove'), 'small');
      button.type = 'button';
      button.addEventListener('click', () => {
        added.splice(i, 1);
        renderList(language());
      });
      li.append(el('span', `${a.label} — ${provider} · ${maskAccount(a.account)} ${L.t(lang, 'pending')}`, 'text'), button);
      items.push(li);
    });
    list.replaceChildren(...(items.length ? items : [el('li', L.t(lang, 'none'), 'empty')]));
  }

  function render(lang: UiLanguage): void {
    legend.textContent = L.t(lang, 'legend');
    note.textContent = L.t(lang, 'note');
    providerLabel.textContent = L.t(lang, 'provider');
    accountLabel.textContent = L.t(lang, kind());
    labelLabel.textContent = L.t(lang, 'label');
    labelInput.placeholder = L.t(lang, 'labelPlaceholder');
    addButton.textContent = L.t(lang, 'add');
    errorBox.hidden = error === null;
    if (error) errorBox.textContent = L.t(lang, error.key, { what: error.what ?? '' });
    renderList(lang);
  }

  const chosen = providerSelect.value;
  providerSelect.replaceChildren(...view.providers.map((p) => {
    const o = el('option', p.name);
    o.value = p.id;
    return o;
  }));
  if (chosen) providerSelect.value = chosen;
  providerSelect.addEventListener('change', () => { error = null; render(language()); });
  for (const input of [accountInput, labelInput]) input.addEventListener('input', () => { error = null; errorBox.hidden = true; });
  addButton.addEventListener('click', () => {
    const k = kind();
    if (!isValidAccount(k, accountInput.value)) {
      error = { key: 'badAccount', what: L.t(language(), k) };
      render(language());
      accountInput.focus();
      return;
    }
    if (!isValidLabel(labelInput.value)) {
      error = { key: 'badLabel' };
      render(language());
      labelInput.focus();
      return;
    }
    added.push({ providerId: providerSelect.value, account: normalizeAccount(k, accountInput.value), label: labelInput.value.trim() });
    accountInput.value = '';
    labelInput.value = '';
    error = null;
    render(language());
  });

  return {
    render,
    change: () => (added.length || removed.size ? { add: added.map((a) => ({ ...a })), remove: [...removed] } : null),
  };
}
