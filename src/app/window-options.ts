/**
 * Every Kyso window is made from these options and guarded by `guardContents`: an isolated, sandboxed
 * renderer without Node, the typed preload bridge as its only way out, our own pages only (kyso://ui/…,
 * served by ui-protocol.ts with a strict Content-Security-Policy), no navigation, no new windows, no
 * permissions, no webviews. Tests assert these options as they are given to BrowserWindow.
 */
import type { BrowserWindowConstructorOptions } from 'electron';
import type { DialogKind } from '../ui/kit/protocol.js';
import type { Platform } from './electron-api.js';

export const UI_SCHEME = 'kyso';
export const UI_HOST = 'ui';
export const UI_ORIGIN = `${UI_SCHEME}://${UI_HOST}`;

/** The argument the preload script reads to know which bridge to expose. */
export const DIALOG_ARG_PREFIX = '--kyso-dialog=';

export const DIALOG_SIZES: Record<DialogKind, { width: number; height: number; resizable: boolean }> = {
  consent: { width: 520, height: 340, resizable: false },
  certificate: { width: 640, height: 520, resizable: true },
  pin: { width: 440, height: 360, resizable: false },
  confirm: { width: 560, height: 440, resizable: true },
  placement: { width: 1200, height: 860, resizable: true },
  settings: { width: 720, height: 720, resizable: true },
  verify: { width: 760, height: 720, resizable: true },
  approval: { width: 480, height: 400, resizable: false },
};

export function dialogUrl(kind: DialogKind): string {
  return `${UI_ORIGIN}/${kind}/index.html`;
}

export interface WindowOptionsInput {
  kind: DialogKind;
  title: string;
  preload: string;
  platform: Platform;
  /** Window icon (Windows and Linux). */
  icon?: string;
}

export function dialogWindowOptions(input: WindowOptionsInput): BrowserWindowConstructorOptions {
  const size = DIALOG_SIZES[input.kind];
  // Prompts float above the browser that asked; the settings and verify windows are ordinary windows the user opened.
  const prompt = input.kind !== 'settings' && input.kind !== 'verify';
  return {
    title: input.title,
    width: size.width,
    height: size.height,
    minWidth: Math.min(size.width, 420),
    minHeight: Math.min(size.height, 300),
    resizable: size.resizable,
    maximizable: input.kind === 'placement' || input.kind === 'verify',
    minimizable: !prompt || input.kind === 'placement',
    fullscreenable: false,
    show: false,
    center: true,
    alwaysOnTop: prompt,
    skipTaskbar: false,
    autoHideMenuBar: true,
    backgroundColor: '#eef1f5',
    ...(input.icon && input.platform !== 'darwin' ? { icon: input.icon } : {}),
    webPreferences: {
      preload: input.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      enableWebSQL: false,
      safeDialogs: true,
      disableBlinkFeatures: 'Auxclick',
      devTools: false,
      additionalArguments: [`${DIALOG_ARG_PREFIX}${input.kind}`],
    },
  };
}

/**
 * The Content-Security-Policy every page is served with (the pages repeat it in a <meta> tag): our own
 * scripts, styles and fonts only, no inline script, no eval (wasm only for pdf.js's decoders in the placement
 * dialog), no network (`connect-src 'self'` is our own scheme), no frames, no forms sent anywhere.
 */
export function contentSecurityPolicy(kind: DialogKind): string {
  const pdf = kind === 'placement';
  return [
    pdf ? "default-src 'self'" : "default-src 'none'",
    `script-src 'self'${pdf ? " 'wasm-unsafe-eval'" : ''}`,
    // The placement dialog positions its box with inline styles; the other pages need none.
    `style-src 'self'${pdf ? " 'unsafe-inline'" : ''}`,
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    ...(pdf ? ["worker-src 'self' blob:"] : []),
    "base-uri 'none'",
    "form-action 'none'",
    "frame-src 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}

/** The events and hooks `guardContents` needs of a WebContents. */
export interface GuardableContents {
  on(event: 'will-navigate' | 'will-redirect' | 'will-frame-navigate' | 'will-attach-webview', listener: (event: { preventDefault(): void; url?: string }, url?: unknown) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

/** A page may only be (re)loaded at its own URL; everything else is stopped. */
export function navigationAllowed(target: string, pageUrl: string): boolean {
  try {
    const a = new URL(target);
    const b = new URL(pageUrl);
    return a.protocol === b.protocol && a.host === b.host && a.pathname === b.pathname;
  } catch {
    return false;
  }
}

export function guardContents(contents: GuardableContents, pageUrl: string, onBlocked: (what: string, url: string) => void = () => {}): void {
  const check = (what: string) => (event: { preventDefault(): void; url?: string }, url?: unknown): void => {
    const target = typeof url === 'string' ? url : typeof event.url === 'string' ? event.url : '';
    if (!navigationAllowed(target, pageUrl)) {
      event.preventDefault();
      onBlocked(what, target);
    }
  };
  contents.on('will-navigate', check('navigation'));
  contents.on('will-frame-navigate', check('navigation'));
  contents.on('will-redirect', check('redirect'));
  contents.on('will-attach-webview', (event) => { event.preventDefault(); onBlocked('webview', ''); });
  contents.setWindowOpenHandler(({ url }) => { onBlocked('new window', url); return { action: 'deny' }; });
}
