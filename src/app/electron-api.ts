/**
 * The narrow slice of Electron the tray app's logic uses. `electron-shell.ts` implements it with the real
 * API (and is the only module besides main.ts and preload.cts that imports 'electron' at run time); tests use
 * a fake. Keep it small: each member is one thing a person can see or the OS keeps.
 */
import type { BrowserWindowConstructorOptions } from 'electron';
import type { DialogKind } from '../ui/kit/protocol.js';

export type Platform = 'win32' | 'darwin' | 'linux';

/** What a dialog page may ask of its window; the shell routes the preload bridge's IPC calls here. */
export interface DialogHandlers {
  init(): unknown;
  submit(result: unknown): void;
  cancel(): void;
  /** Extra calls a page kind is allowed (settings: `chooseModule`; verify: `saveRevision(n)`…), with at most one argument. */
  call?(method: string, arg?: unknown): Promise<unknown>;
}

export interface DialogWindowSpec {
  kind: DialogKind;
  /** kyso://ui/<kind>/index.html */
  url: string;
  options: BrowserWindowConstructorOptions;
  handlers: DialogHandlers;
}

export interface DialogWindow {
  /** Shows the window and brings it above the browser that asked. */
  present(): void;
  close(): void;
  /** Called once when the window is gone, whoever closed it. */
  onClosed(listener: () => void): void;
}

export type TrayIcon = 'idle' | 'token' | 'waiting' | 'error';

export type TrayAction =
  | { type: 'settings' }
  | { type: 'verify' }
  | { type: 'open-logs' }
  | { type: 'about' }
  | { type: 'quit' }
  | { type: 'certificate'; id: string }
  | { type: 'revoke'; origin: string }
  | { type: 'show-pending' };

export interface TrayMenuItem {
  label?: string;
  type?: 'normal' | 'separator' | 'submenu';
  enabled?: boolean;
  submenu?: TrayMenuItem[];
  action?: TrayAction;
}

export interface TrayView {
  icon: TrayIcon;
  tooltip: string;
  menu: TrayMenuItem[];
}

/** Protected storage for secrets (TSA password): DPAPI, Keychain, libsecret/kwallet via safeStorage. */
export interface SecretStore {
  /** True only when the OS really protects the secret (not safeStorage's plain-text fallback on Linux). */
  available(): boolean;
  encrypt(plain: string): Buffer;
  decrypt(cipher: Buffer): string;
}

export interface LoginItemSettings {
  openAtLogin: boolean;
  args: string[];
  /** Windows: the value name under HKCU\…\Run (the installer writes and removes the same name). */
  name: string;
}

export interface MessageBox {
  type: 'info' | 'warning' | 'error';
  title: string;
  message: string;
  detail?: string;
}

export interface Shell {
  readonly platform: Platform;
  readonly version: string;
  readonly paths: { userData: string; logs: string; executable: string; home: string };
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly secrets: SecretStore;
  openWindow(spec: DialogWindowSpec): DialogWindow;
  /** Creates the tray icon on first call, updates it afterwards. */
  setTray(view: TrayView, onAction: (action: TrayAction) => void): void;
  /** The OS file picker (never reachable from a web page). Resolves to null when cancelled. */
  chooseFile(options: { title: string; filters: Array<{ name: string; extensions: string[] }> }): Promise<string | null>;
  /** The OS save dialog, proposing `defaultName` in the user's documents folder. Resolves to null when cancelled. */
  chooseSaveFile(options: { title: string; defaultName: string; filters: Array<{ name: string; extensions: string[] }> }): Promise<string | null>;
  openFolder(path: string): Promise<void>;
  showMessage(box: MessageBox): Promise<void>;
  /** Windows and macOS login items (Linux uses an XDG autostart file instead, see autostart.ts). */
  setLoginItem(settings: LoginItemSettings): void;
  getLoginItem(settings: Omit<LoginItemSettings, 'openAtLogin'>): { openAtLogin: boolean };
  quit(): void;
}
