/**
 * The Shell over the real Electron API. Thin on purpose: every decision is made in the plain modules
 * (tray-state, dialog-host, window-options, ui-protocol, settings, autostart) that tests run under Node.
 * Here: BrowserWindow + guard, IPC routing from a window's preload bridge to its handlers, the tray, the OS
 * dialogs, login items and safeStorage.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import {
  app, BrowserWindow, dialog, ipcMain, Menu, nativeImage, safeStorage, shell as electronShell, Tray,
  type IpcMainInvokeEvent, type MenuItemConstructorOptions,
} from 'electron';
import type {
  DialogHandlers, DialogWindow, DialogWindowSpec, LoginItemSettings, MessageBox, Platform, SecretStore, Shell, TrayAction, TrayIcon, TrayMenuItem, TrayView,
} from './electron-api.js';
import { guardContents, UI_ORIGIN } from './window-options.js';

/** The one IPC channel of the preload bridge (src/app/preload.cts). */
export const BRIDGE_CHANNEL = 'kyso:dialog';

export interface ElectronShellOptions {
  version: string;
  /** Folder of the tray icons (assets/tray). */
  trayIcons: string;
  log?: (message: string) => void;
}

const platform = (): Platform => (process.platform === 'win32' || process.platform === 'darwin' ? process.platform : 'linux');

const secrets: SecretStore = {
  available: () => safeStorage.isEncryptionAvailable() && (process.platform !== 'linux' || safeStorage.getSelectedStorageBackend() !== 'basic_text'),
  encrypt: (plain) => safeStorage.encryptString(plain),
  decrypt: (cipher) => safeStorage.decryptString(cipher),
};

export class ElectronShell implements Shell {
  readonly platform = platform();
  readonly version: string;
  readonly paths: Shell['paths'];
  readonly env = process.env;
  readonly secrets = secrets;
  private readonly handlers = new Map<number, DialogHandlers>();
  private tray: Tray | undefined;
  private onTrayAction: (a: TrayAction) => void = () => {};

  constructor(private readonly options: ElectronShellOptions) {
    this.version = options.version;
    this.paths = { userData: app.getPath('userData'), logs: app.getPath('logs'), executable: app.getPath('exe'), home: app.getPath('home') };
    ipcMain.handle(BRIDGE_CHANNEL, (event, op: unknown, payload: unknown, arg: unknown) => this.route(event, op, payload, arg));
  }

  /** Only our own page in the window's main frame may use its window's handlers. */
  private async route(event: IpcMainInvokeEvent, op: unknown, payload: unknown, arg: unknown): Promise<unknown> {
    const handlers = this.handlers.get(event.sender.id);
    const frame = event.senderFrame;
    if (!handlers || !frame || frame.parent !== null || !frame.url.startsWith(`${UI_ORIGIN}/`)) throw new Error('not a Kyso dialog');
    switch (op) {
      case 'init': return handlers.init();
      case 'submit': handlers.submit(payload); return null;
      case 'cancel': handlers.cancel(); return null;
      case 'call':
        if (typeof payload !== 'string' || !handlers.call) throw new Error('no such call');
        return handlers.call(payload, arg);
      default: throw new Error('no such operation');
    }
  }

  openWindow(spec: DialogWindowSpec): DialogWindow {
    const win = new BrowserWindow(spec.options);
    const contents = win.webContents;
    const id = contents.id;
    this.handlers.set(id, spec.handlers);
    guardContents(contents, spec.url, (what, url) => this.options.log?.(`blocked ${what} ${url} in the ${spec.kind} window`));
    win.removeMenu();
    let wantShown = false;
    let ready = false;
    const closedListeners: Array<() => void> = [];
    const bringToFront = (): void => {
      if (win.isDestroyed()) return;
      if (win.isMinimized()) win.restore();
      win.show();
      if (spec.options.alwaysOnTop) win.setAlwaysOnTop(true, 'floating');
      win.moveTop();
      if (this.platform === 'darwin') app.focus({ steal: true });
      win.focus();
      contents.focus();
    };
    win.once('ready-to-show', () => {
      ready = true;
      if (wantShown) bringToFront();
    });
    win.on('closed', () => {
      this.handlers.delete(id);
      for (const l of closedListeners.splice(0)) l();
    });
    void win.loadURL(spec.url);
    return {
      present: () => {
        wantShown = true;
        if (ready) bringToFront();
      },
      close: () => { if (!win.isDestroyed()) win.close(); },
      onClosed: (l) => { closedListeners.push(l); },
    };
  }

  setTray(view: TrayView, onAction: (action: TrayAction) => void): void {
    this.onTrayAction = onAction;
    const image = nativeImage.createFromPath(path.join(this.options.trayIcons, `${view.icon}.png`));
    if (!this.tray) {
      this.tray = new Tray(image);
      // Windows and Linux users left-click the tray icon: show the same menu.
      this.tray.on('click', () => this.tray?.popUpContextMenu());
    } else {
      this.tray.setImage(image);
    }
    this.tray.setToolTip(view.tooltip);
    this.tray.setContextMenu(Menu.buildFromTemplate(view.menu.map((i) => this.menuItem(i))));
  }

  private menuItem(item: TrayMenuItem): MenuItemConstructorOptions {
    const action = item.action;
    return {
      ...(item.label !== undefined ? { label: item.label } : {}),
      type: item.type ?? 'normal',
      enabled: item.enabled ?? true,
      ...(item.submenu ? { submenu: item.submenu.map((i) => this.menuItem(i)) } : {}),
      ...(action ? { click: () => this.onTrayAction(action) } : {}),
    };
  }

  async chooseFile(options: { title: string; filters: Array<{ name: string; extensions: string[] }> }): Promise<string | null> {
    const r = await dialog.showOpenDialog({ title: options.title, properties: ['openFile', 'dontAddToRecent'], filters: options.filters });
    return r.canceled || !r.filePaths[0] ? null : r.filePaths[0];
  }

  async chooseSaveFile(options: { title: string; defaultName: string; filters: Array<{ name: string; extensions: string[] }> }): Promise<string | null> {
    const r = await dialog.showSaveDialog({
      title: options.title,
      defaultPath: path.join(app.getPath('documents'), options.defaultName),
      filters: options.filters,
      properties: ['createDirectory', 'showOverwriteConfirmation', 'dontAddToRecent'],
    });
    return r.canceled || !r.filePath ? null : r.filePath;
  }

  async openFolder(folder: string): Promise<void> {
    mkdirSync(folder, { recursive: true });
    await electronShell.openPath(folder);
  }

  async showMessage(box: MessageBox): Promise<void> {
    await dialog.showMessageBox({ type: box.type, title: box.title, message: box.message, ...(box.detail ? { detail: box.detail } : {}), buttons: ['OK'], noLink: true });
  }

  setLoginItem(settings: LoginItemSettings): void {
    app.setLoginItemSettings({ openAtLogin: settings.openAtLogin, args: settings.args, name: settings.name, path: process.execPath });
  }

  getLoginItem(settings: Omit<LoginItemSettings, 'openAtLogin'>): { openAtLogin: boolean } {
    return { openAtLogin: app.getLoginItemSettings({ args: settings.args, path: process.execPath }).openAtLogin };
  }

  quit(): void {
    this.tray?.destroy();
    app.quit();
  }
}

export type { TrayIcon };
