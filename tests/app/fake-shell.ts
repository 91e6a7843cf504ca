/**
 * A fake of the Electron shell (src/app/electron-api.ts) for the tray app's logic under Node. It stands in for
 * windows, the tray and the OS only: every test behind it drives real settings files, real timers' logic and,
 * where tokens are involved, the real SoftHSM token through the token layer.
 *
 * A FakeWindow plays the page: it calls the same handlers the preload bridge reaches over IPC.
 */
import type {
  DialogWindow, DialogWindowSpec, LoginItemSettings, MessageBox, Platform, SecretStore, Shell, TrayAction, TrayMenuItem, TrayView,
} from '../../src/app/electron-api.js';
import type { DialogKind } from '../../src/ui/kit/protocol.js';

export class FakeWindow implements DialogWindow {
  presented = 0;
  closed = false;
  private closedListeners: Array<() => void> = [];

  constructor(readonly spec: DialogWindowSpec) {}

  get kind(): DialogKind {
    return this.spec.kind;
  }

  /** What the page gets from `kysoBridge.init()`. */
  request<T = unknown>(): T {
    return this.spec.handlers.init() as T;
  }

  submit(result: unknown): void {
    this.spec.handlers.submit(result);
  }

  cancel(): void {
    this.spec.handlers.cancel();
  }

  call(method: string, arg?: unknown): Promise<unknown> {
    if (!this.spec.handlers.call) throw new Error('no calls');
    return this.spec.handlers.call(method, arg);
  }

  /** The user closes the window with its close button. */
  closeByUser(): void {
    this.close();
  }

  present(): void {
    this.presented++;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const l of this.closedListeners.splice(0)) l();
  }

  onClosed(listener: () => void): void {
    this.closedListeners.push(listener);
  }
}

export class FakeSecrets implements SecretStore {
  constructor(public isAvailable = true) {}
  available(): boolean {
    return this.isAvailable;
  }
  encrypt(plain: string): Buffer {
    // Not encryption: just not the plain text, so a test can tell the file never holds the password.
    return Buffer.from(`sealed:${Buffer.from(plain, 'utf8').reverse().toString('base64')}`);
  }
  decrypt(cipher: Buffer): string {
    const s = cipher.toString();
    if (!s.startsWith('sealed:')) throw new Error('not ours');
    return Buffer.from(s.slice(7), 'base64').reverse().toString('utf8');
  }
}

export class FakeShell implements Shell {
  readonly version = '0.1.0-test';
  readonly windows: FakeWindow[] = [];
  readonly messages: MessageBox[] = [];
  readonly openedFolders: string[] = [];
  readonly loginItems: LoginItemSettings[] = [];
  readonly fileAnswers: Array<string | null> = [];
  /** What the save dialog answers, in order (null: cancelled), and what it was asked. */
  readonly saveAnswers: Array<string | null> = [];
  readonly saveDialogs: Array<{ title: string; defaultName: string }> = [];
  tray: TrayView | undefined;
  trayUpdates = 0;
  quitCalled = false;
  readonly secrets: FakeSecrets;
  private onAction: (a: TrayAction) => void = () => {};
  private waiters: Array<{ kind: DialogKind | undefined; resolve: (w: FakeWindow) => void }> = [];
  private loginItem = false;

  constructor(
    readonly paths: Shell['paths'],
    readonly platform: Platform = 'win32',
    readonly env: Record<string, string | undefined> = {},
    secrets = new FakeSecrets(),
  ) {
    this.secrets = secrets;
  }

  openWindow(spec: DialogWindowSpec): DialogWindow {
    const w = new FakeWindow(spec);
    this.windows.push(w);
    const i = this.waiters.findIndex((x) => x.kind === undefined || x.kind === spec.kind);
    if (i >= 0) this.waiters.splice(i, 1)[0]!.resolve(w);
    return w;
  }

  /** The open windows, oldest first. */
  get open(): FakeWindow[] {
    return this.windows.filter((w) => !w.closed);
  }

  /** Resolves with the next window of this kind (or one already open and not yet claimed). */
  nextWindow(kind?: DialogKind): Promise<FakeWindow> {
    const existing = this.open.find((w) => (kind === undefined || w.kind === kind) && !claimed.has(w));
    if (existing) {
      claimed.add(existing);
      return Promise.resolve(existing);
    }
    return new Promise((resolve) => this.waiters.push({ kind, resolve: (w) => { claimed.add(w); resolve(w); } }));
  }

  setTray(view: TrayView, onAction: (action: TrayAction) => void): void {
    this.tray = view;
    this.trayUpdates++;
    this.onAction = onAction;
  }

  /** Clicks the tray menu item whose label matches (searching submenus). */
  clickTray(label: string | RegExp): void {
    const find = (items: TrayMenuItem[]): TrayMenuItem | undefined => {
      for (const i of items) {
        if (i.label !== undefined && (typeof label === 'string' ? i.label === label : label.test(i.label))) return i;
        const sub = i.submenu && find(i.submenu);
        if (sub) return sub;
      }
      return undefined;
    };
    const item = find(this.tray?.menu ?? []);
    if (!item?.action) throw new Error(`no tray item ${String(label)}`);
    if (item.enabled === false) throw new Error(`tray item ${String(label)} is disabled`);
    this.onAction(item.action);
  }

  async chooseFile(): Promise<string | null> {
    return this.fileAnswers.shift() ?? null;
  }

  async chooseSaveFile(options: { title: string; defaultName: string }): Promise<string | null> {
    this.saveDialogs.push({ title: options.title, defaultName: options.defaultName });
    return this.saveAnswers.shift() ?? null;
  }

  async openFolder(path: string): Promise<void> {
    this.openedFolders.push(path);
  }

  async showMessage(box: MessageBox): Promise<void> {
    this.messages.push(box);
  }

  setLoginItem(settings: LoginItemSettings): void {
    this.loginItems.push(settings);
    this.loginItem = settings.openAtLogin;
  }

  getLoginItem(): { openAtLogin: boolean } {
    return { openAtLogin: this.loginItem };
  }

  quit(): void {
    this.quitCalled = true;
  }
}

const claimed = new WeakSet<FakeWindow>();

/** Lets pending promise callbacks run. */
export const tick = (): Promise<void> => new Promise((r) => setImmediate(r));
