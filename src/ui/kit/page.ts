/**
 * What every Kyso dialog page (consent, certificate, PIN, confirm, settings, verify) shares: its typed bridge, labels
 * in Vietnamese and English, the language switch, Esc to cancel, one answer only, a short arming delay on
 * buttons that grant something (so a keypress meant for the browser cannot answer a window that just
 * appeared), and `data-ready` on <body> once the page can be used.
 */
import type { KysoDialogBridge, UiLanguage } from './protocol.js';

export function dialogBridge<Request, Result, B extends KysoDialogBridge<Request, Result> = KysoDialogBridge<Request, Result>>(): B {
  const b = (window as unknown as { kysoBridge?: B }).kysoBridge;
  if (!b) throw new Error('Kyso: no host bridge (window.kysoBridge) for this dialog');
  return b;
}

export type Messages<K extends string> = Record<UiLanguage, Record<K, string>>;

export function labels<K extends string>(messages: Messages<K>) {
  const t = (lang: UiLanguage, key: K, params: Record<string, string | number> = {}): string =>
    messages[lang][key].replace(/\{(\w+)\}/g, (_, k: string) => String(params[k] ?? ''));
  /** Fills `data-i18n` (text), `data-i18n-placeholder`, `data-i18n-title` and `data-i18n-aria` (attributes). */
  const apply = (root: ParentNode, lang: UiLanguage): void => {
    root.querySelectorAll<HTMLElement>('[data-i18n]').forEach((el) => { el.textContent = t(lang, el.dataset.i18n as K); });
    root.querySelectorAll<HTMLInputElement>('[data-i18n-placeholder]').forEach((el) => { el.placeholder = t(lang, el.dataset.i18nPlaceholder as K); });
    root.querySelectorAll<HTMLElement>('[data-i18n-title]').forEach((el) => { el.title = t(lang, el.dataset.i18nTitle as K); });
    root.querySelectorAll<HTMLElement>('[data-i18n-aria]').forEach((el) => { el.setAttribute('aria-label', t(lang, el.dataset.i18nAria as K)); });
    document.documentElement.lang = lang;
  };
  return { t, apply };
}

export const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} missing`);
  return el as T;
};

/** Creates an element with text (never HTML: everything shown comes from a site or a certificate). */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, className?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (className) e.className = className;
  return e;
}

export interface PageControl<Result> {
  /** Answers once; later calls do nothing. */
  submit(result: Result): void;
  cancel(): void;
  readonly done: boolean;
}

/**
 * Wires the common parts: `#language` toggles the language (calling `render`), Esc cancels, and exactly one
 * answer goes to the host.
 */
export function setupPage<Result>(bridge: KysoDialogBridge<unknown, Result>, options: {
  language: UiLanguage;
  render: (lang: UiLanguage) => void;
  onEscape?: () => void;
}): PageControl<Result> & { language(): UiLanguage } {
  let lang = options.language;
  let done = false;
  const control = {
    submit(result: Result): void {
      if (done) return;
      done = true;
      document.body.dataset.done = 'submitted';
      void bridge.submit(result);
    },
    cancel(): void {
      if (done) return;
      done = true;
      document.body.dataset.done = 'cancelled';
      void bridge.cancel();
    },
    get done(): boolean { return done; },
    language: () => lang,
  };
  const toggle = document.getElementById('language');
  toggle?.addEventListener('click', () => {
    lang = lang === 'vi' ? 'en' : 'vi';
    options.render(lang);
  });
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && !e.defaultPrevented) {
      e.preventDefault();
      (options.onEscape ?? control.cancel)();
    }
  });
  options.render(lang);
  return control;
}

/** Buttons that grant something stay disabled for a moment after the window shows (and while it is hidden). */
export function armAfterDelay(buttons: HTMLButtonElement[], ms = 600): void {
  for (const b of buttons) b.disabled = true;
  let timer: number | undefined;
  const arm = (): void => {
    window.clearTimeout(timer);
    for (const b of buttons) b.disabled = true;
    timer = window.setTimeout(() => { for (const b of buttons) b.disabled = false; }, ms);
  };
  arm();
  // Coming back to the window (it was behind another one) re-arms: what the user sees first is the question.
  window.addEventListener('focus', arm);
  document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'visible') arm(); });
}

export function ready(): void {
  document.body.dataset.ready = 'true';
}

/** 123456 → "120,6 KB" (vi) / "120.6 KB" (en). */
export function formatSize(bytes: number, lang: UiLanguage): string {
  const locale = lang === 'vi' ? 'vi-VN' : 'en-GB';
  if (bytes < 1024) return `${bytes.toLocaleString(locale)} B`;
  const units = ['KB', 'MB', 'GB'];
  let v = bytes / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return `${v.toLocaleString(locale, { maximumFractionDigits: 1 })} ${units[i]}`;
}

/** dd/MM/yyyy, as Vietnamese certificates and users write dates. */
export function formatDate(iso: string): string {
  const d = new Date(iso);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${p(d.getDate())}/${p(d.getMonth() + 1)}/${d.getFullYear()}`;
}

/** "CCCD: 001190012345 · MST: 0101234567" */
export function identifiers(ids: Record<string, string>): string {
  return Object.entries(ids).map(([k, v]) => `${k}: ${v}`).join(' · ');
}
